/** Parses `INFO` and `CLUSTER INFO` replies: `key:value` lines, `#` section headers ignored. */
export function parseInfo(reply: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const raw of reply.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0) {
      fields.set(line.slice(0, colon), line.slice(colon + 1));
    }
  }
  return fields;
}

export interface ConnectedReplica {
  readonly host: string;
  readonly port: number;
  readonly state: string;
  readonly offset: number;
}

/** What `INFO replication` says about a node, whichever role it has. */
export interface ReplicationInfo {
  readonly role: 'master' | 'replica';
  readonly masterReplOffset: number;
  /** Replica side only. */
  readonly masterLinkUp: boolean;
  readonly syncInProgress: boolean;
  readonly replicaOffset: number | undefined;
  readonly masterAddress: string | undefined;
  /** Master side only. */
  readonly replicas: readonly ConnectedReplica[];
}

export function parseReplicationInfo(reply: string): ReplicationInfo {
  const fields = parseInfo(reply);
  const role = fields.get('role');
  if (role !== 'master' && role !== 'slave') {
    throw new Error(`INFO replication has no role field (got ${JSON.stringify(role)})`);
  }
  const replicas: ConnectedReplica[] = [];
  for (const [key, value] of fields) {
    if (/^slave\d+$/.test(key)) {
      const parts = new Map(value.split(',').map((pair) => pair.split('=') as [string, string]));
      replicas.push({
        host: parts.get('ip') ?? '',
        port: Number(parts.get('port')),
        state: parts.get('state') ?? '',
        offset: Number(parts.get('offset')),
      });
    }
  }
  const masterHost = fields.get('master_host');
  return {
    role: role === 'master' ? 'master' : 'replica',
    masterReplOffset: Number(fields.get('master_repl_offset') ?? 0),
    masterLinkUp: fields.get('master_link_status') === 'up',
    syncInProgress: fields.get('master_sync_in_progress') === '1',
    replicaOffset: fields.has('slave_repl_offset') ? Number(fields.get('slave_repl_offset')) : undefined,
    masterAddress: masterHost === undefined ? undefined : `${masterHost}:${fields.get('master_port')}`,
    replicas,
  };
}
