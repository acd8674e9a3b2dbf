// The scrape's limits, apart from the scraper so the command line's help loads nothing else.

/**
 * Series the `--scrape` endpoints may send per scrape, all together, unless told otherwise: the
 * console keeps at most 1,000 series per agent by default (maxSeriesPerAgent), and the
 * agent's own collectors need a few dozen of them.
 */
export const DEFAULT_SCRAPE_MAX_SERIES = 600;
/** The most `--scrape-max-series` may allow (the console's own cap may be raised that far). */
export const MAX_SCRAPE_SERIES = 100_000;
