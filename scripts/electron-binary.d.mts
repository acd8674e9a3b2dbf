export interface ElectronBinary {
  /** The executable, or null when there is none on this machine. */
  path: string | null;
  /** Where it was found: 'ELECTRON_OVERRIDE_DIST_PATH' or 'node_modules/electron'. */
  source: string | null;
  /** Why there is none. */
  reason: string | null;
}

export function findElectron(env?: NodeJS.ProcessEnv, root?: string): ElectronBinary;
