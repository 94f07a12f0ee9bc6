import type { ICreditRegistryTypes } from "../../typechain-types/credit/CreditRegistry.js";

/** The grace days of `CONSUMER_POLICY`. */
export const GRACE_DAYS = 5;

/**
 * The policy the consumer-credit tests deploy a credit registry with: flag mode, five inquiries in a 30-day window,
 * a 30% platform share, no lender, outstanding or APR cap, `GRACE_DAYS` of grace.
 */
export const CONSUMER_POLICY: ICreditRegistryTypes.PolicyStruct = {
  maxLenders: 0,
  maxInquiries: 5,
  inquiryWindow: 30 * 86_400,
  maxOutstanding: 0n,
  maxPlatformShareBps: 3_000,
  mode: 0,
  maxAprBps: 0,
  graceDays: GRACE_DAYS,
};
