import type { Contract } from "ethers";

/** A module's report queue (`ICreditReporter`), as the tests read it. */
interface ReportQueue {
  pendingCreditReports(ref: string, offset: bigint, max: bigint): Promise<{ page: string[]; total: bigint }>;
}

/** Every report still queued for `ref`, oldest first, read page by page as a client must. */
export async function allPendingReports(module: ReportQueue | Contract, ref: string): Promise<string[]> {
  const queue = module as ReportQueue; // an untyped Contract answers the same call
  const reports: string[] = [];
  for (;;) {
    const { page, total } = await queue.pendingCreditReports(ref, BigInt(reports.length), 50n);
    reports.push(...page);
    if (page.length === 0 || BigInt(reports.length) >= total) return reports;
  }
}
