// config.json's `alertmanagers` (and `alertmanagerResendMs`): where the console forwards its
// alerts. Checked with the rest of the file (electron/core/config.ts).
import { Type } from '@sinclair/typebox';
import { ConfigError } from '../config-error.js';
import type { AlertmanagerConfig } from './alertmanager-target.js';

export const AlertmanagersSetting = Type.Array(
  Type.Object(
    {
      url: Type.String({ pattern: '^https?://[^\\s/?#]+[^\\s?#]*$', maxLength: 2048 }),
      timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 120_000 })),
      basicAuth: Type.Optional(
        Type.Object(
          {
            username: Type.String({ minLength: 1, maxLength: 256 }),
            password: Type.String({ maxLength: 1024 }),
          },
          { additionalProperties: false },
        ),
      ),
      bearer: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    },
    { additionalProperties: false },
  ),
  { maxItems: 16 },
);

export const AlertmanagerResendSetting = Type.Integer({ minimum: 1_000, maximum: 3_600_000 });

/** What the schema cannot say: one kind of credential per Alertmanager, each URL once. */
export function checkAlertmanagers(
  list: readonly AlertmanagerConfig[] | undefined,
  path: string,
): void {
  const seen = new Set<string>();
  (list ?? []).forEach((am, i) => {
    if (am.basicAuth && am.bearer)
      throw new ConfigError(
        `${path}: field 'alertmanagers/${i}' give basicAuth or bearer, not both`,
      );
    const url = am.url.replace(/\/+$/, '');
    if (seen.has(url))
      throw new ConfigError(`${path}: field 'alertmanagers/${i}/url' is listed twice`);
    seen.add(url);
  });
}
