// Preloaded by the benchmark (node --import) into a CLI process it times: on exit, the process's
// peak resident memory and CPU time (all its threads) on stderr, as the last line.
process.on('exit', () => {
  const usage = process.resourceUsage();
  process.stderr.write(`\npeak-rss-kb ${usage.maxRSS} cpu-us ${usage.userCPUTime + usage.systemCPUTime}\n`);
});
