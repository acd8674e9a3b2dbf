// The session (ingest URL, enrolment secret, CA fingerprint) for pages that show a command to
// run against this console; an error message when it could not be read.
import { useEffect, useState } from 'react';
import type { SessionInfo } from '../../../shared/api';
import { useServices } from './context';

export function useSession(): { session: SessionInfo | null; error: string | null } {
  const { api } = useServices();
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api
      .get('GET /api/v1/session')
      .then((s) => live && setSession(s))
      .catch((e: unknown) => live && setError(String((e as Error).message ?? e)));
    return () => {
      live = false;
    };
  }, [api]);
  return { session, error };
}
