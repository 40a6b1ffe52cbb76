/**
 * Prints the run's totals as one plain line ("Tests: N passed, N failed, N skipped"), the form CI
 * reads to tell a run that tested something from one that ran nothing.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    process.stdout.write(
      `Tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped\n`,
    );
  }
}
module.exports = SummaryReporter;
