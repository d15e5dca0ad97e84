// The example configuration in packages/msrp-relay/deploy: read by the relay's own config
// reader, holding every option the command knows (one added later without the example fails
// here), each at its default where it has one; and the operators page documents each.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPTIONS, resolveConfig } from '../packages/msrp-relay/src/cli/config.js';
import { resolveLimits } from '../packages/msrp-relay/src/relay-options.js';
import { DEPLOY, ROOT } from './helpers/deploy.js';

const EXAMPLE = join(DEPLOY, 'relay.example.json');
/** The options a config file can hold: all but --help and --config itself. */
const FILE_OPTIONS = Object.keys(OPTIONS).filter((name) => !['help', 'config'].includes(name));

/** Resolves `--config file` alone, with no environment. */
function configOf(file: string): ReturnType<typeof resolveConfig> {
  return resolveConfig(['--config', file], {}, (path) => readFileSync(path, 'utf8'));
}

describe('relay.example.json', () => {
  it('holds every option of msrp-relay, and nothing else', () => {
    const example = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(example).sort()).toEqual([...FILE_OPTIONS].sort());
  });

  it('is accepted by the config reader, every limit at its default', () => {
    const config = configOf(EXAMPLE)!;
    expect(config.listen.map((u) => `${u.scheme}:${u.port};${u.transport}`)).toEqual([
      'msrp:2855;tcp',
      'msrps:2856;tcp',
      'msrps:8443;ws',
    ]);
    expect(config).toMatchObject({
      realm: 'example.net',
      host: 'relay.example.net',
      usersFile: '/etc/msrp-relay/users',
      usersDb: { columns: { ha1Sha256: 'ha1_sha256' }, plainPasswords: false },
      metrics: { host: '127.0.0.1', port: 9090 },
      logLevel: 'info',
    });
    // Copying the example changes no limit: it shows the defaults, each one set.
    const defaults = resolveLimits();
    expect(Object.keys(config.limits).length).toBeGreaterThan(0);
    for (const [key, value] of Object.entries(config.limits))
      expect(value, key).toBe(defaults[key as keyof typeof defaults]);
    expect(config.minExpires).toBe(60);
    expect(config.maxExpires).toBe(3600);
    expect(config.defaultExpires).toBe(600);
  });

  // docs/operators.md keeps the database password in relay.env (0600), out of relay.json
  // (0644, readable by the relay's dynamic user): a copy of the example should not carry one.
  it('names the database without its password', () => {
    const url = new URL(configOf(EXAMPLE)!.usersDb!.url);
    expect(url.username).toBe('msrp');
    expect(url.password).toBe('');
  });

  it('is documented option by option in docs/operators.md', () => {
    const page = readFileSync(join(ROOT, 'docs/operators.md'), 'utf8');
    for (const name of FILE_OPTIONS) expect(page, name).toContain(`\`${name}\``);
  });
});

describe("relay.docker.json (the image's /etc/msrp-relay/relay.json)", () => {
  it('is accepted: listens on every address, metrics and /health on :9090, users from a file', () => {
    const config = configOf(join(DEPLOY, 'relay.docker.json'))!;
    expect(config.listen.map((u) => u.host)).toEqual(['0.0.0.0', '0.0.0.0']);
    expect(config.metrics).toEqual({ host: '0.0.0.0', port: 9090 });
    expect(config.usersFile).toBe('/etc/msrp-relay/users');
  });
});
