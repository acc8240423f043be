// Preloaded by the benchmark (node --import) into a CLI process it times: on exit, the process's
// peak resident memory (all its threads) on stderr, as the last line.
process.on('exit', () => {
  process.stderr.write(`\npeak-rss-kb ${process.resourceUsage().maxRSS}\n`);
});
