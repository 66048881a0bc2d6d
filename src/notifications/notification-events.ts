/**
 * What notifications record about a finished drill, in the drill's own stream beside its events,
 * so that the drill's history shows who was told and when. The drill's fold passes over them.
 */
export type NotificationEvent =
  /** A webhook took the outcome (2xx). */
  | { type: 'WebhookDelivered'; data: { url: string; deliveryId: string; attempt: number; status: number; tookMs: number } }
  /** An attempt to post the outcome failed; `willRetry` says whether the queue tries again. */
  | { type: 'WebhookFailed'; data: { url: string; deliveryId: string; attempt: number; error: string; willRetry: boolean } };
