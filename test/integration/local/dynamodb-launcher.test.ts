// DynamoDB Local's launcher needs a Java runtime and nothing else: it starts with the JDK's
// compiler module out of reach (`--limit-modules java.se`: what a JRE has), listens on
// 127.0.0.1 only, keeps a table in a directory across a restart, and where Java is
// missing says in one line what to install on Debian/Ubuntu, macOS and Windows.
import { CreateTableCommand, ListTablesCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTableInput } from '../../../shared/contracts/table-definition.ts';
import { assertJavaPresent, JavaRuntimeMissingError, startDynamoDbLocal } from '../../../local/dynamodb/dynamodb-local.ts';
import { listeningAddresses } from '../../../local/process/listening-addresses.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const client = (endpoint: string): DynamoDBClient => new DynamoDBClient({ region: 'local', endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

describe('the DynamoDB Local launcher', () => {
  it('runs on a Java runtime without the compiler (java.se modules only), on 127.0.0.1 only', async () => {
    const local = await startDynamoDbLocal({ jvmArgs: ['--limit-modules', 'java.se'] });
    try {
      if (process.platform === 'linux') expect(listeningAddresses(local.pid)).toEqual([`127.0.0.1:${local.port}`]);
      const dynamo = client(local.endpoint);
      expect((await dynamo.send(new ListTablesCommand({}))).TableNames).toEqual([]);
      dynamo.destroy();
    } finally {
      await local.stop();
    }
  }, 60_000);

  it('keeps its tables in dbPath: stopped and started again, the table is there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hedge-ddb-'));
    dirs.push(dir);
    const first = await startDynamoDbLocal({ dbPath: dir });
    const one = client(first.endpoint);
    await one.send(new CreateTableCommand(createTableInput('kept')));
    one.destroy();
    await first.stop();
    expect(readdirSync(dir)).toContain('shared-local-instance.db');
    const second = await startDynamoDbLocal({ dbPath: dir });
    try {
      const two = client(second.endpoint);
      expect((await two.send(new ListTablesCommand({}))).TableNames).toEqual(['kept']);
      two.destroy();
    } finally {
      await second.stop();
    }
  }, 60_000);

  it('without Java: one line naming what to install on Debian/Ubuntu, macOS and Windows', async () => {
    const saved = process.env.JAVA_HOME;
    process.env.JAVA_HOME = join(tmpdir(), 'no-such-java-home');
    try {
      const error = await startDynamoDbLocal().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(JavaRuntimeMissingError);
      const message = (error as Error).message;
      expect(message.split('\n')).toHaveLength(1);
      expect(message).toContain('sudo apt-get install openjdk-17-jre-headless');
      expect(message).toContain('brew install openjdk@17');
      expect(message).toContain('winget install EclipseAdoptium.Temurin.17.JRE');
    } finally {
      if (saved === undefined) delete process.env.JAVA_HOME;
      else process.env.JAVA_HOME = saved;
    }
    // The stack checks first, before it starts anything (a file check, no JVM).
    expect(() => assertJavaPresent({ PATH: join(tmpdir(), 'no-such-bin') })).toThrow(/no java was found on the PATH: install a Java runtime .*winget/);
    expect(() => assertJavaPresent({ JAVA_HOME: join(tmpdir(), 'no-such-java-home') })).toThrow(JavaRuntimeMissingError);
    expect(() => assertJavaPresent()).not.toThrow();
  });
});
