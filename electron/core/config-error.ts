/** A config file or setting the console refuses; its message names the field. */
// Apart from config.ts so the `meridian` command can catch it without loading the config
// schema (and, through it, the store) for commands that never read a config (agent, token).
export class ConfigError extends Error {}
