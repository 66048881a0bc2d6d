import type { ClusterNodeEntry } from '../cluster/cluster-nodes.parser.js';

/** `CLUSTER NODES` as one member answered it. */
export interface MemberView {
  /** `host:port` of the member that answered. */
  readonly from: string;
  readonly entries: readonly ClusterNodeEntry[];
}

/**
 * Why the members' views of the cluster do not agree yet, or undefined when they agree on who
 * belongs to it and what each member does (serves which slots, or replicates whom). Right after
 * `redis-cli --cluster add-node` or `CLUSTER REPLICATE`, gossip needs a moment to carry the change
 * to every member; a layout read from one member before then is wrong (a standby seen as a spare,
 * or as a master without slots).
 */
export function viewsDisagreement(views: readonly MemberView[]): string | undefined {
  const [reference, ...others] = views;
  if (!reference) {
    return undefined;
  }
  const referenceRoles = rolesIn(reference);
  for (const view of others) {
    const roles = rolesIn(view);
    for (const [id, role] of referenceRoles) {
      const seen = roles.get(id);
      if (seen === undefined) {
        return `${view.from} does not know the member ${shortId(id)} that ${reference.from} sees as ${role}`;
      }
      if (seen !== role) {
        return `${reference.from} sees the member ${shortId(id)} as ${role}, ${view.from} sees it as ${seen}`;
      }
    }
    for (const [id, role] of roles) {
      if (!referenceRoles.has(id)) {
        return `${reference.from} does not know the member ${shortId(id)} that ${view.from} sees as ${role}`;
      }
    }
  }
  return undefined;
}

const shortId = (id: string) => id.slice(0, 8);

/** Each known member's role in one view, in words: members still in handshake are not members yet. */
function rolesIn(view: MemberView): Map<string, string> {
  const roles = new Map<string, string>();
  for (const entry of view.entries) {
    if (entry.flags.includes('handshake') || entry.address === '') {
      continue;
    }
    const where = `at ${entry.address}`;
    if (entry.role === 'replica') {
      roles.set(entry.id, `a replica of ${shortId(entry.masterId ?? '?')} ${where}`);
    } else if (entry.slots.length > 0) {
      roles.set(
        entry.id,
        `a master of slots ${entry.slots.map(({ start, end }) => (start === end ? `${start}` : `${start}-${end}`)).join(',')} ${where}`,
      );
    } else {
      roles.set(entry.id, `a master without slots ${where}`);
    }
  }
  return roles;
}
