import { describe, expect, it } from 'vitest';
import { dataDirOf, parseStartFlags, type StartFlags } from '../../../local/cli/stack-flags.ts';

describe('hedge start flags', () => {
  it('defaults, and PORT / HEDGE_ADMIN_KEY from the environment', () => {
    const parsed = parseStartFlags([], { PORT: '8080', HEDGE_ADMIN_KEY: 'an-admin-key-of-some-length' });
    expect(parsed).toMatchObject({ ok: true, flags: { headless: false, json: false, ticks: 30, tickMs: 2000, port: 8080, adminKey: 'an-admin-key-of-some-length', vol: 0.8 } });
  });

  it('reads --flag value and --flag=value; a flag beats PORT', () => {
    const parsed = parseStartFlags(['--', '--headless', '--ticks', '12', '--json', '--crash-at=4', '--port', '0'], { PORT: '8080' });
    expect(parsed).toMatchObject({ ok: true, flags: { headless: true, json: true, ticks: 12, crashAt: 4, port: 0 } });
  });

  it('refuses unknown flags, bad values and --json without --headless', () => {
    expect(parseStartFlags(['--nope'], {})).toEqual({ ok: false, errors: ['unknown argument --nope'] });
    expect(parseStartFlags(['--ticks', '-3'], {}).ok).toBe(false);
    expect(parseStartFlags(['--ticks'], {})).toEqual({ ok: false, errors: ['--ticks needs a value'] });
    expect(parseStartFlags(['--json'], {})).toMatchObject({ ok: false, errors: ['json: --json needs --headless'] });
    expect(parseStartFlags([], { HEDGE_ADMIN_KEY: 'short' }).ok).toBe(false);
  });

  it('where the data is kept: --data-dir, else the state folder when interactive, nothing when headless or --in-memory', () => {
    const flags = (argv: string[]): StartFlags => {
      const parsed = parseStartFlags(argv, {});
      if (!parsed.ok) throw new Error(parsed.errors.join('; '));
      return parsed.flags;
    };
    const state = (): string => '/home/u/.local/state/hedge';
    expect(dataDirOf(flags([]), state)).toBe('/home/u/.local/state/hedge');
    expect(dataDirOf(flags(['--data-dir', '/tmp/x', '--fresh']), state)).toBe('/tmp/x');
    expect(flags(['--data-dir=/tmp/x', '--fresh']).fresh).toBe(true);
    expect(dataDirOf(flags(['--headless']), state)).toBeUndefined();
    expect(dataDirOf(flags(['--headless', '--data-dir', '/tmp/x']), state)).toBe('/tmp/x');
    expect(dataDirOf(flags(['--in-memory']), state)).toBeUndefined();
    expect(parseStartFlags(['--in-memory', '--fresh'], {})).toMatchObject({ ok: false, errors: ['inMemory: --in-memory keeps nothing: it takes neither --data-dir nor --fresh'] });
    expect(parseStartFlags(['--headless', '--fresh'], {})).toMatchObject({ ok: false, errors: ['fresh: --fresh needs a data directory: --headless keeps nothing unless --data-dir is given'] });
    expect(parseStartFlags(['--data-dir'], {})).toEqual({ ok: false, errors: ['--data-dir needs a value'] });
  });
});
