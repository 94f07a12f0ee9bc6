import { Wallet, keccak256, toUtf8Bytes, type Signer } from "ethers";
import type { network } from "hardhat";

import { DEFAULT_SCORECARD } from "../../src/credit.js";
import type { ConsentBook, CreditRegistry, CreditScore, MemberRegistry } from "../../typechain-types/index.js";
import type { ICreditRegistryTypes } from "../../typechain-types/credit/CreditRegistry.js";
import { TEST_KEY_CHECK, testEntityKey } from "./entity.js";

type Connection = Awaited<ReturnType<typeof network.create>>;

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

/**
 * A plain single loan of 1,000.00 (no plan, no APR) of borrower `key`, reference `ref`, originated on `day` for a
 * year: the registry's input, its reference and commitment derived from `ref`.
 */
export function plainLoan(key: string, ref: string, day: number): ICreditRegistryTypes.LoanInputStruct {
  const id = (label: string) => keccak256(toUtf8Bytes(label));
  return {
    loanRef: id(ref),
    borrowerKey: key,
    kind: 0,
    principal: 100_000n,
    outstanding: 100_000n,
    originationDay: day,
    maturityDay: day + 365,
    commitment: id(`${ref} commitment`),
    aprBps: 0,
    plan: { instalments: 0, frequency: 0, firstDueDay: 0, instalment: 0n, finalInstalment: 0n },
  };
}

/**
 * A credit registry of its own, with its consent book, score and member registry, `governor` governing: each entry
 * of `admins` is admitted in order (jurisdiction CN, under its LEI text) with its role mask and admin key. Returns the
 * contracts and each entry's member id.
 */
export async function standaloneCredit<K extends string>(
  connection: Connection,
  governor: Signer,
  admins: Record<K, { lei: string; roles: number; admin: Signer }>,
  policy: ICreditRegistryTypes.PolicyStruct = CONSUMER_POLICY,
) {
  const { ethers } = connection;
  const members = (await (
    await ethers.getContractFactory("MemberRegistry", governor)
  ).deploy(await governor.getAddress(), TEST_KEY_CHECK)) as unknown as MemberRegistry;
  const ids = {} as Record<K, bigint>;
  for (const [name, { lei, roles, admin }] of Object.entries(admins) as [K, (typeof admins)[K]][]) {
    const hash = keccak256(toUtf8Bytes(lei));
    await members.admit(hash, testEntityKey(hash), "0x434e", roles, await admin.getAddress());
    ids[name] = await members.memberForKey(await admin.getAddress());
  }
  const book = (await (
    await ethers.getContractFactory("ConsentBook", governor)
  ).deploy(await members.getAddress())) as unknown as ConsentBook;
  const credit = (await (
    await ethers.getContractFactory("CreditRegistry", governor)
  ).deploy(await members.getAddress(), await book.getAddress(), "0x434e59", policy)) as unknown as CreditRegistry;
  const score = (await (
    await ethers.getContractFactory("CreditScore", governor)
  ).deploy(await members.getAddress(), await credit.getAddress(), DEFAULT_SCORECARD)) as unknown as CreditScore;
  return { members, book, credit, score, ids };
}

/** The chain's day number (Unix days) at its latest block. */
export async function chainDay(connection: Connection): Promise<number> {
  return Math.floor((await connection.networkHelpers.time.latest()) / 86_400);
}

/** Moves the chain's time to one hour into day `day`. */
export async function travelToDay(connection: Connection, day: number): Promise<void> {
  await connection.networkHelpers.time.increaseTo(day * 86_400 + 3_600);
}

/**
 * `standaloneCredit` with lender `a` and a regulator (the first signers after the governor), a funded stranger, and
 * lender `a`'s loan of 10,000.00 on four weekly instalments of 2,500.00, the first due in a week (`first`), labelled
 * `label` (its reference, borrower key and commitment).
 */
export async function weeklyPlanWorld(connection: Connection, label: string) {
  const { ethers, networkHelpers } = connection;
  const [governor, lenderA, regulator] = await ethers.getSigners();
  const { members, book, credit, score, ids } = await standaloneCredit(connection, governor, {
    a: { lei: `TL${label}LENDERA`.toUpperCase(), roles: 1 << 0, admin: lenderA },
    regulator: { lei: `TL${label}REGULATOR`.toUpperCase(), roles: 1 << 12, admin: regulator },
  });
  const stranger = Wallet.createRandom().connect(ethers.provider);
  await networkHelpers.setBalance(stranger.address, 10n ** 20n);
  const first = (await chainDay(connection)) + 7;
  const word = (what: string) => keccak256(toUtf8Bytes(`${label} ${what}`));
  const loan: ICreditRegistryTypes.LoanInputStruct = {
    loanRef: word("loan"),
    borrowerKey: word("borrower"),
    kind: 0,
    principal: 1_000_000n,
    outstanding: 1_000_000n,
    originationDay: first - 7,
    maturityDay: first + 21,
    commitment: word("commitment"),
    aprBps: 0,
    plan: { instalments: 4, frequency: 0, firstDueDay: first, instalment: 250_000n, finalInstalment: 250_000n },
  };
  await credit.connect(lenderA).registerLoan(loan);
  const id = await credit.loanId(ids.a, loan.loanRef);
  return { members, book, credit, score, ids, governor, lenderA, regulator, stranger, loan, id, first };
}
