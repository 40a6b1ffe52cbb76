// Preloaded into a measured process: reports its peak resident memory (KiB) as it exits.
process.on('exit', () => process.stderr.write(`[peak-rss-kb ${process.resourceUsage().maxRSS}]\n`));
