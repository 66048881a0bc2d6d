/** The kinds of action a repair takes, each carried out by the code a drill runs for the same purpose. */
export const REPAIR_ACTION_KINDS = ['finish-failback', 'forget', 'restart-fresh', 'meet', 'replicate', 'restore-standby-group'] as const;
export type RepairActionKind = (typeof REPAIR_ACTION_KINDS)[number];
