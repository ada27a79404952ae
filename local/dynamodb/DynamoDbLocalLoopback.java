// Starts AWS's DynamoDB Local (in memory) listening on 127.0.0.1 only.
//
// DynamoDB Local's own command line (ServerRunner) has no host option: its Jetty server
// binds every interface. This launcher builds the same request handler ServerRunner builds
// (LocalDynamoDBRequestHandler wrapped in LocalDynamoDBServerHandler, inside a Jetty
// ContextHandler, as DynamoDBProxyServer.setUpHandler does) but gives Jetty a single
// connector on 127.0.0.1. Port 0 lets the kernel pick a free port (no probe-then-bind race);
// the bound port is printed on stdout as "LISTENING 127.0.0.1:<port>" for the Node side.
// Telemetry is never started (ServerRunner is not used). The process stops when its stdin
// closes, so a test runner that dies cannot leave it running.
//
// Run with the JDK's single-file source launcher (JDK 11+), the jar and its lib on the
// class path, and the sqlite4java native libraries on java.library.path:
//   java -Djava.library.path=<lib> -cp <jar>:<lib>/* DynamoDbLocalLoopback.java [port]

import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBRequestHandler;
import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBServerHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;

public final class DynamoDbLocalLoopback {
  private DynamoDbLocalLoopback() {}

  public static void main(String[] args) throws Exception {
    int requestedPort = args.length > 0 ? Integer.parseInt(args[0]) : 0;

    // (port: unused by the handler, inMemory, dbPath, sharedDb, delayTransientStatuses)
    // sharedDb: one database whatever the region/credentials of the client.
    LocalDynamoDBRequestHandler requestHandler = new LocalDynamoDBRequestHandler(0, true, null, true, false);
    LocalDynamoDBServerHandler serverHandler = new LocalDynamoDBServerHandler(requestHandler, null);

    ContextHandler context = new ContextHandler();
    context.setHandler(serverHandler);
    ContextHandlerCollection handlers = new ContextHandlerCollection();
    handlers.addHandler(context);

    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(requestedPort);
    server.addConnector(connector);
    server.setHandler(handlers);
    server.setStopAtShutdown(true);
    server.start();

    System.out.println("LISTENING 127.0.0.1:" + connector.getLocalPort());
    System.out.flush();

    // Block until the parent closes our stdin (or dies), then stop cleanly.
    while (System.in.read() != -1) {
      // ignore input
    }
    server.stop();
    serverHandler.close();
    System.exit(0);
  }
}
