import { AppError } from '../common/app-error.js';

/** One line of `CLUSTER NODES`, as the node that answered sees the member it describes. */
export interface ClusterNodeEntry {
  readonly id: string;
  /** `host:port` clients use; empty when the node has no known address (`noaddr`). */
  readonly address: string;
  readonly host: string;
  readonly port: number;
  readonly busPort: number;
  readonly hostname: string | undefined;
  readonly flags: readonly ClusterNodeFlag[];
  readonly myself: boolean;
  readonly role: 'master' | 'replica' | 'unknown';
  /** Id of the master this node replicates, when it is a replica. */
  readonly masterId: string | undefined;
  readonly pingSentMs: number;
  readonly pongReceivedMs: number;
  readonly configEpoch: number;
  readonly linkState: 'connected' | 'disconnected';
  /** Slots served, as inclusive ranges. */
  readonly slots: readonly SlotRange[];
  readonly migratingSlots: readonly { slot: number; toId: string }[];
  readonly importingSlots: readonly { slot: number; fromId: string }[];
}

export type ClusterNodeFlag = 'myself' | 'master' | 'slave' | 'fail?' | 'fail' | 'handshake' | 'noaddr' | 'nofailover' | 'noflags';

export interface SlotRange {
  readonly start: number;
  readonly end: number;
}

export const SLOT_COUNT = 16384;

const KNOWN_FLAGS = new Set<string>(['myself', 'master', 'slave', 'fail?', 'fail', 'handshake', 'noaddr', 'nofailover', 'noflags']);

export class ClusterNodesParseError extends AppError {
  readonly code = 'CLUSTER_NODES_UNPARSABLE';

  constructor(
    message: string,
    readonly line: string,
  ) {
    super(`${message} in CLUSTER NODES line: ${JSON.stringify(line)}`);
  }
}

/** Parses the whole reply of `CLUSTER NODES`. */
export function parseClusterNodes(reply: string): ClusterNodeEntry[] {
  return reply
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map(parseClusterNodesLine);
}

export function parseClusterNodesLine(line: string): ClusterNodeEntry {
  const fields = line.split(' ');
  if (fields.length < 8) {
    throw new ClusterNodesParseError(`expected at least 8 fields, found ${fields.length}`, line);
  }
  const [id, rawAddress, rawFlags, rawMaster, pingSent, pongReceived, configEpoch, linkState, ...slotFields] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    ...string[],
  ];
  if (!/^[0-9a-f]{40}$/.test(id)) {
    throw new ClusterNodesParseError(`node id ${JSON.stringify(id)} is not 40 hex characters`, line);
  }
  const flags = rawFlags.split(',').map((flag) => {
    if (!KNOWN_FLAGS.has(flag)) {
      throw new ClusterNodesParseError(`unknown flag ${JSON.stringify(flag)}`, line);
    }
    return flag as ClusterNodeFlag;
  });
  if (linkState !== 'connected' && linkState !== 'disconnected') {
    throw new ClusterNodesParseError(`unknown link state ${JSON.stringify(linkState)}`, line);
  }
  const endpoint = parseEndpoint(rawAddress, line);
  const slots: SlotRange[] = [];
  const migratingSlots: { slot: number; toId: string }[] = [];
  const importingSlots: { slot: number; fromId: string }[] = [];
  for (const field of slotFields) {
    const migrating = /^\[(\d+)->-([0-9a-f]{40})\]$/.exec(field);
    const importing = /^\[(\d+)-<-([0-9a-f]{40})\]$/.exec(field);
    if (migrating) {
      migratingSlots.push({ slot: Number(migrating[1]), toId: migrating[2]! });
    } else if (importing) {
      importingSlots.push({ slot: Number(importing[1]), fromId: importing[2]! });
    } else {
      slots.push(parseSlotRange(field, line));
    }
  }
  const role = flags.includes('master') ? 'master' : flags.includes('slave') ? 'replica' : 'unknown';
  return {
    id,
    ...endpoint,
    flags,
    myself: flags.includes('myself'),
    role,
    masterId: rawMaster === '-' ? undefined : rawMaster,
    pingSentMs: parseInteger(pingSent, 'ping-sent', line),
    pongReceivedMs: parseInteger(pongReceived, 'pong-recv', line),
    configEpoch: parseInteger(configEpoch, 'config-epoch', line),
    linkState,
    slots,
    migratingSlots,
    importingSlots,
  };
}

function parseEndpoint(raw: string, line: string) {
  // ip:port@cport[,hostname]; the ip is empty (":0@0") while the address is unknown.
  const match = /^(.*):(\d+)@(\d+)(?:,(.*))?$/.exec(raw);
  if (!match) {
    throw new ClusterNodesParseError(`address ${JSON.stringify(raw)} is not ip:port@cport`, line);
  }
  const host = match[1]!;
  const port = Number(match[2]);
  return {
    host,
    port,
    busPort: Number(match[3]),
    hostname: match[4] ? match[4] : undefined,
    address: host === '' ? '' : `${host}:${port}`,
  };
}

function parseSlotRange(field: string, line: string): SlotRange {
  const match = /^(\d+)(?:-(\d+))?$/.exec(field);
  if (!match) {
    throw new ClusterNodesParseError(`slot field ${JSON.stringify(field)} is not a slot or a range`, line);
  }
  const start = Number(match[1]);
  const end = match[2] === undefined ? start : Number(match[2]);
  if (start > end || end >= SLOT_COUNT) {
    throw new ClusterNodesParseError(`slot range ${field} is outside 0-${SLOT_COUNT - 1} or reversed`, line);
  }
  return { start, end };
}

function parseInteger(value: string, name: string, line: string): number {
  if (!/^\d+$/.test(value)) {
    throw new ClusterNodesParseError(`${name} ${JSON.stringify(value)} is not a non-negative integer`, line);
  }
  return Number(value);
}

/** True when the answering node sees this member as failing, unknown or not yet joined. */
export function isUnhealthyEntry(entry: ClusterNodeEntry): boolean {
  return entry.flags.some((flag) => flag === 'fail' || flag === 'fail?' || flag === 'handshake' || flag === 'noaddr');
}

export function slotCount(entry: Pick<ClusterNodeEntry, 'slots'>): number {
  return entry.slots.reduce((sum, range) => sum + range.end - range.start + 1, 0);
}

/** Slot ranges as `redis-cli` prints them: `0-5460 5470`. */
export function formatSlots(ranges: readonly SlotRange[]): string {
  return ranges.map((range) => (range.start === range.end ? `${range.start}` : `${range.start}-${range.end}`)).join(' ');
}
