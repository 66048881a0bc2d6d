/** Where a Redis node answers. Drills only ever talk to the addresses their target lists. */
export interface NodeAddress {
  readonly host: string;
  readonly port: number;
}

export const formatAddress = (address: NodeAddress): string => `${address.host}:${address.port}`;
