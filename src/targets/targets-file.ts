import type { DockerEngineSpec, DrillTarget, GroupName, TargetAuth, TargetNode, TargetTls } from './drill-target.js';
import { engineLocation, REPLICAS_PER_MASTER, validateTarget } from './drill-target.js';

/** The targets a file configures, and the one drills use when a request names none. */
export interface ConfiguredTargets {
  readonly targets: DrillTarget[];
  readonly defaultTarget?: string;
}

/** A targets file that cannot be used; the message names the key at fault. */
export class TargetsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetsFileError';
  }
}

type Json = unknown;
const NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const CONTAINER = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
const TARGET_KEYS = [
  'name',
  'containerLabel',
  'clusterConfigFile',
  'groups',
  'replicasPerMaster',
  'auth',
  'tls',
  'engines',
  'groupEngines',
];
const AUTH_KEYS = ['username', 'passwordEnv', 'passwordFile'];
const TLS_KEYS = ['caFile', 'certFile', 'keyFile'];
const ABSOLUTE_PATH = /^\/[^\0]{1,1023}$/;
const NODE_KEYS = ['name', 'host', 'port', 'containerName', 'engine'];
const ENGINE_NAME = /^[a-z0-9][a-z0-9_.-]{0,31}$/;

/**
 * Reads the JSON of a targets file (`TARGETS_FILE`):
 *
 *     { "default": "staging",
 *       "targets": [{ "name": "staging", "containerLabel": { "key": "…", "value": "…" },
 *                     "clusterConfigFile": "/data/nodes.conf",
 *                     "groups": { "A": [{ "name": "a1", "port": 7101, "containerName": "staging-a1" }, …],
 *                                 "B": [ … ] },
 *                     "auth": { "username": "drill", "passwordEnv": "STAGING_REDIS_PASSWORD" },
 *                     "tls": { "caFile": "/etc/drill/ca.crt", "certFile": "…", "keyFile": "…" } }] }
 *
 * Each group lists its shards' masters first, then their replicas, in shard order (with
 * `"replicasPerMaster": 2`, every shard's first replica, then every shard's second); `host` is
 * 127.0.0.1 unless given, and may be any address the service reaches. `auth` and `tls` are
 * optional; a password is never written here, only the environment variable or file that holds
 * it. `engines` names the Docker engines besides the service's own (`{ "socket": path }` or
 * `{ "url": "tcp://host:port", "ca", "cert", "key" }`); `groupEngines` gives a group's engine, a
 * node's `engine` its own. Any problem throws with the path of the key at fault. `alongside` are
 * the targets configured elsewhere (the lab): no node or container may belong to two targets.
 */
export function parseTargetsFile(text: string, alongside: readonly DrillTarget[] = []): ConfiguredTargets {
  let document: Json;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new TargetsFileError(`is not valid JSON: ${(error as Error).message}`);
  }
  const root = object(document, '(the document)');
  onlyKeys(root, ['targets', 'default'], '');
  const list = root.targets;
  if (!Array.isArray(list) || list.length === 0) {
    throw new TargetsFileError('targets must be a non-empty array');
  }
  const targets = list.map((entry, index) => target(entry, `targets[${index}]`));
  const names = targets.map((parsed) => parsed.name);
  names.forEach((name, index) => {
    if (names.indexOf(name) !== index) {
      throw new TargetsFileError(`targets[${index}].name ${JSON.stringify(name)} is used by targets[${names.indexOf(name)}] too`);
    }
  });
  // Two targets on one node or container would be drilled at once: each holds only its own lock.
  noneTwice(
    [
      ...alongside.map((other) => nodeClaims(other, `the ${other.name} target`)),
      ...targets.map((parsed, index) => nodeClaims(parsed, `targets[${index}]`)),
    ]
      .flat()
      .filter((claim) => claim.kind !== 'name'),
  );
  if (root.default !== undefined && (typeof root.default !== 'string' || !names.includes(root.default))) {
    throw new TargetsFileError(`default must name one of the targets (${names.join(', ')}), got ${JSON.stringify(root.default)}`);
  }
  return { targets, ...(typeof root.default === 'string' ? { defaultTarget: root.default } : {}) };
}

function target(entry: Json, at: string): DrillTarget {
  const fields = object(entry, at);
  onlyKeys(fields, TARGET_KEYS, at);
  const name = text(fields.name, `${at}.name`, NAME, '1–64 lowercase letters, digits, ".", "_" or "-"');
  const label = object(fields.containerLabel, `${at}.containerLabel`);
  onlyKeys(label, ['key', 'value'], `${at}.containerLabel`);
  const containerLabel = {
    key: text(label.key, `${at}.containerLabel.key`, /^[\w.\-/]{1,128}$/, 'a Docker label key'),
    value: text(label.value, `${at}.containerLabel.value`, /^.{1,128}$/, '1–128 characters'),
  };
  const clusterConfigFile = text(fields.clusterConfigFile, `${at}.clusterConfigFile`, /^\/[^\0]{1,255}$/, 'an absolute path');
  const engines = fields.engines === undefined ? undefined : engineList(fields.engines, `${at}.engines`);
  const engineNamed = (value: Json, where: string): string => {
    const named = text(value, where, ENGINE_NAME, 'the name of one of the target’s engines');
    if (!engines?.[named]) {
      throw new TargetsFileError(`${where} names the engine ${JSON.stringify(named)}, which ${at}.engines does not list`);
    }
    return named;
  };
  const groupEngines = fields.groupEngines === undefined ? {} : object(fields.groupEngines, `${at}.groupEngines`);
  onlyKeys(groupEngines, ['A', 'B'], `${at}.groupEngines`);
  const groups = object(fields.groups, `${at}.groups`);
  onlyKeys(groups, ['A', 'B'], `${at}.groups`);
  const replicasPerMaster = fields.replicasPerMaster;
  if (replicasPerMaster !== undefined && !(REPLICAS_PER_MASTER as readonly unknown[]).includes(replicasPerMaster)) {
    throw new TargetsFileError(`${at}.replicasPerMaster must be 1 or 2, got ${JSON.stringify(replicasPerMaster)}`);
  }
  const groupOf = (name: GroupName): TargetNode[] => {
    const where = `${at}.groups.${name}`;
    const fallback = groupEngines[name] === undefined ? undefined : engineNamed(groupEngines[name], `${at}.groupEngines.${name}`);
    return group(groups[name], where, name).map(({ engine, ...node }, index) => {
      const chosen = engine === undefined ? fallback : engineNamed(engine, `${where}[${index}].engine`);
      return chosen === undefined ? node : { ...node, engine: chosen };
    });
  };
  const parsed: DrillTarget = {
    name,
    ...(replicasPerMaster === undefined ? {} : { replicasPerMaster: replicasPerMaster as number }),
    containerLabel,
    clusterConfigFile,
    groups: { A: groupOf('A'), B: groupOf('B') },
    ...(fields.auth === undefined ? {} : { auth: auth(fields.auth, `${at}.auth`) }),
    ...(fields.tls === undefined ? {} : { tls: tls(fields.tls, `${at}.tls`) }),
    ...(engines ? { engines } : {}),
  };
  noneTwice(nodeClaims(parsed, at));
  try {
    validateTarget(parsed);
  } catch (error) {
    throw new TargetsFileError(`${at}: ${(error as Error).message}`);
  }
  return parsed;
}

function auth(value: Json, at: string): TargetAuth {
  const fields = object(value, at);
  if ('password' in fields) {
    // The value is not repeated: the message may end up in a log.
    throw new TargetsFileError(
      `${at}.password: a password may not be written in the targets file; name the environment variable (passwordEnv) or the file (passwordFile) that holds it`,
    );
  }
  onlyKeys(fields, AUTH_KEYS, at);
  if ((fields.passwordEnv === undefined) === (fields.passwordFile === undefined)) {
    throw new TargetsFileError(`${at} must name exactly one of passwordEnv and passwordFile`);
  }
  return {
    ...(fields.username === undefined ? {} : { username: text(fields.username, `${at}.username`, /^[^\s]{1,128}$/, 'an ACL user name') }),
    ...(fields.passwordEnv === undefined
      ? {}
      : {
          passwordEnv: reference(fields.passwordEnv, `${at}.passwordEnv`, /^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'an environment variable name'),
        }),
    ...(fields.passwordFile === undefined
      ? {}
      : { passwordFile: reference(fields.passwordFile, `${at}.passwordFile`, ABSOLUTE_PATH, 'an absolute path') }),
  };
}

function tls(value: Json, at: string): TargetTls {
  const fields = object(value, at);
  onlyKeys(fields, TLS_KEYS, at);
  const file = (key: string) => text(fields[key], `${at}.${key}`, ABSOLUTE_PATH, 'an absolute path');
  return { caFile: file('caFile'), certFile: file('certFile'), keyFile: file('keyFile') };
}

/** A node as its group lists it, its engine's name not yet checked against the target's engines. */
type ListedNode = Omit<TargetNode, 'engine'> & { readonly engine?: Json };

function group(value: Json, at: string, name: GroupName): ListedNode[] {
  if (!Array.isArray(value)) {
    throw new TargetsFileError(`${at} must be an array of nodes`);
  }
  return value.map((entry, index) => {
    const where = `${at}[${index}]`;
    const fields = object(entry, where);
    onlyKeys(fields, NODE_KEYS, where);
    const port = fields.port;
    if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 55535) {
      throw new TargetsFileError(
        `${where}.port must be an integer from 1 to 55535 (its cluster bus is port + 10000), got ${JSON.stringify(port)}`,
      );
    }
    return {
      name: text(fields.name, `${where}.name`, /^[a-z0-9][a-z0-9_.-]{0,31}$/, '1–32 lowercase letters, digits, ".", "_" or "-"'),
      host: fields.host === undefined ? '127.0.0.1' : text(fields.host, `${where}.host`, /^[\w.:-]{1,253}$/, 'a host name or address'),
      port: port as number,
      containerName: text(fields.containerName, `${where}.containerName`, CONTAINER, 'a Docker container name'),
      group: name,
      ...(fields.engine === undefined ? {} : { engine: fields.engine }),
    };
  });
}

function engineList(value: Json, at: string): Record<string, DockerEngineSpec> {
  const listed = object(value, at);
  return Object.fromEntries(
    Object.entries(listed).map(([name, entry]) => {
      const where = `${at}.${name}`;
      if (!ENGINE_NAME.test(name)) {
        throw new TargetsFileError(`${where}: an engine's name must be 1–32 lowercase letters, digits, ".", "_" or "-"`);
      }
      return [name, engineSpec(entry, where)];
    }),
  );
}

/** A Unix socket, or a TCP address that must come with the TLS client files: an engine's API runs containers as root. */
function engineSpec(value: Json, at: string): DockerEngineSpec {
  const fields = object(value, at);
  const file = (key: string) => text(fields[key], `${at}.${key}`, /^\/[^\0]{1,1023}$/, 'the absolute path of a file');
  if (fields.socket !== undefined) {
    onlyKeys(fields, ['socket'], at);
    return { socketPath: file('socket') };
  }
  onlyKeys(fields, ['url', 'ca', 'cert', 'key'], at);
  const url = /^tcp:\/\/([\w.-]{1,253}|\[[0-9a-fA-F:]{2,45}\]):(\d{1,5})$/.exec(String(fields.url));
  const port = Number(url?.[2]);
  if (fields.url === undefined || typeof fields.url !== 'string' || !url || port < 1 || port > 65535) {
    throw new TargetsFileError(`${at} must give either socket (a path) or url (tcp://host:port), got ${JSON.stringify(fields.url)}`);
  }
  return { host: url[1]!.replace(/^\[|\]$/g, ''), port, ca: file('ca'), cert: file('cert'), key: file('key') };
}

interface NodeClaim {
  readonly kind: 'name' | 'address' | 'container';
  readonly value: string;
  readonly at: string;
}

/** What each node of a target takes for itself, with the key that says so. */
function nodeClaims(parsed: DrillTarget, at: string): NodeClaim[] {
  return (['A', 'B'] as const).flatMap((group) =>
    parsed.groups[group].flatMap((node, index): NodeClaim[] => {
      const where = `${at}.groups.${group}[${index}]`;
      const engine = node.engine === undefined ? undefined : parsed.engines?.[node.engine];
      return [
        { kind: 'name', value: node.name, at: `${where}.name` },
        // `localhost` and 127.0.0.1 are one node to Docker's host network.
        { kind: 'address', value: `${node.host === 'localhost' ? '127.0.0.1' : node.host}:${node.port}`, at: `${where}.port` },
        // Containers are told apart by name on one engine only.
        {
          kind: 'container',
          value: engine ? `${node.containerName} on ${engineLocation(engine)}` : node.containerName,
          at: `${where}.containerName`,
        },
      ];
    }),
  );
}

function noneTwice(claims: readonly NodeClaim[]): void {
  const seen = new Map<string, string>();
  for (const claim of claims) {
    const key = `${claim.kind} ${claim.value}`;
    const first = seen.get(key);
    if (first !== undefined) {
      throw new TargetsFileError(`${claim.at}: ${key} appears twice (also at ${first})`);
    }
    seen.set(key, claim.at);
  }
}

function object(value: Json, at: string): Record<string, Json> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TargetsFileError(`${at} must be an object`);
  }
  return value as Record<string, Json>;
}

function onlyKeys(fields: Record<string, Json>, allowed: readonly string[], at: string): void {
  const unknown = Object.keys(fields).find((key) => !allowed.includes(key));
  if (unknown !== undefined) {
    throw new TargetsFileError(`${at ? `${at}.` : ''}${unknown} is not a known key; expected ${allowed.join(', ')}`);
  }
}

/** Like `text`, but the value is not repeated: a password put where its reference belongs must not reach a log. */
function reference(value: Json, at: string, pattern: RegExp, expected: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new TargetsFileError(`${at} must be ${expected} (the value is not shown, in case it is a secret)`);
  }
  return value;
}

function text(value: Json, at: string, pattern: RegExp, expected: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new TargetsFileError(`${at} must be ${expected}, got ${JSON.stringify(value)}`);
  }
  return value;
}
