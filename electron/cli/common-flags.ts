// Flags several commands share (a file of its own: serve-spec.ts and relay-spec.ts both import
// it, and neither may import the other's values).

/** `--log-format`, the same for every long-running command. */
export const LOG_FORMAT_FLAG = {
  type: 'string',
  value: 'text|json',
  description: 'log lines on stderr: text for people, JSON lines for collectors',
  default: 'text on a terminal, else json',
} as const;
