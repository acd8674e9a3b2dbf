// The contract between the main process and the window's preload. The preload inlines the
// channel names (a sandboxed preload may require only 'electron'); a unit test keeps the two
// in step.

export const IPC = {
  /** renderer → main (invoke): the API base URL and session token of this launch. */
  session: 'meridian:session',
  /** main → renderer: the operator clicked the notification of this alert id. */
  openAlert: 'meridian:open-alert',
  /** main → renderer: the operator clicked a notification about this incident (a run to approve). */
  openIncident: 'meridian:open-incident',
} as const;

export type { DesktopSession, MeridianDesktopApi } from './desktop-api.js';

/** Alert ids are `alr-` plus a short uuid; anything else on the open-alert channel is dropped. */
export function isAlertId(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_.:-]{1,128}$/.test(value);
}

/** Incident ids have the same shape as alert ids; anything else on open-incident is dropped. */
export const isIncidentId = isAlertId;
