// Tokens go on command lines (`meridian agent --token "$(meridian token)"`): one beginning with
// '-' is read as an option and refused. 2,000 draws: with base64url's 1-in-64 leading '-', the
// unguarded generator gives one almost surely.
import { describe, expect, it } from 'vitest';
import { newToken } from '../../electron/core/ingest/tokens.js';

describe('newToken', () => {
  it('is 32 characters of base64url, never beginning with a dash', () => {
    for (let i = 0; i < 2_000; i++) {
      const token = newToken();
      expect(token).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{31}$/);
    }
  });
});
