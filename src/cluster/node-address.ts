/** Where a Redis node answers. Drills only ever talk to loopback addresses of their target. */
export interface NodeAddress {
  readonly host: string;
  readonly port: number;
}

export const formatAddress = (address: NodeAddress): string => `${address.host}:${address.port}`;
