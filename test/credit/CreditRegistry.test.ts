import { expect } from "chai";
import { id as hashOf, type BytesLike } from "ethers";
import { network } from "hardhat";

import { LOAN_STATUSES, dayOf, loanIdOf, loanRef, loanStatus, productKind, type LoanInput } from "../../src/credit.js";
import { currencyCode, jurisdictionCode, legalIdHash, reasonCode } from "../../src/encoding.js";
import { decodeError } from "../../src/errors.js";
import { roleIndex, roleMask } from "../../src/members.js";
import { addMonths } from "../../src/schedule.js";
import { ephemeralKey, sampleLoan, syntheticId } from "../../scripts/lib/loans.js";
import { deployWorld } from "../../scripts/lib/world.js";
import {
  ConsentBook__factory,
  CreditRegistryCold__factory,
  MemberRegistry__factory,
  type CreditRegistry,
} from "../../typechain-types/index.js";
import { testEntityKey } from "../helpers/entity.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
/** The chain's day number: what a module reports as the day it saw an exposure or a default happen. */
const chainDay = async (): Promise<number> => dayOf(await networkHelpers.time.latest());
const key = ephemeralKey();

const Limit = { DistinctLenders: 0, Outstanding: 1, Inquiries: 2, Apr: 3 } as const;
const Mode = { Flag: 0, Enforce: 1 } as const;
const MemberStatus = { None: 0, Active: 1, Suspended: 2 } as const;
/** The governor's operations run in CreditRegistryCold, whose errors they raise (only its interface is used). */
const COLD = CreditRegistryCold__factory.connect(ethers.ZeroAddress);
/** The member registry, for the refusals it gives through the credit registry. */
const MEMBERS = MemberRegistry__factory.connect(ethers.ZeroAddress);
/** ConsentPurpose.NewCredit. */
const PURPOSE = 1;
/** A module report's commitment. */
const CONSENT = hashOf("signed authorization #1");
const REASON = reasonCode("BORROWER-CLAIM-77");
const DEFAULT_POLICY = {
  maxLenders: 3,
  maxInquiries: 5,
  inquiryWindow: 30 * 86_400,
  maxOutstanding: 0n,
  maxPlatformShareBps: 3_000,
  mode: Mode.Flag,
  maxAprBps: 3_600,
  graceDays: 15,
};

/**
 * The NewCredit consent `lender`'s member holds from `borrower` (recorded the first time, in force ten years): an
 * inquiry needs one. Its document hash is fixed per lender and borrower, so its id is too.
 */
async function consentFor(lender: CreditRegistry, borrower: BytesLike): Promise<string> {
  const signer = lender.runner as Awaited<ReturnType<typeof ethers.getSigner>>;
  const book = ConsentBook__factory.connect(await lender.consentBook(), signer);
  const member = await MemberRegistry__factory.connect(await lender.memberRegistry(), signer).memberForKey(
    signer.address,
  );
  const documentHash = hashOf(`consent of ${String(borrower)} held by member ${member}`);
  const id = await book.consentId(member, documentHash);
  if ((await book.getConsent(id)).holder === 0n) {
    const expiresAt = (await networkHelpers.time.latest()) + 10 * 365 * 86_400;
    await book.recordConsent({ borrowerKey: borrower, documentHash, purpose: PURPOSE, expiresAt, covered: [] });
  }
  return id;
}

/** `lender`'s inquiry about `borrower` under its consent. */
async function inquire(lender: CreditRegistry, borrower: BytesLike) {
  return lender.inquire(borrower, PURPOSE, await consentFor(lender, borrower));
}

let counter = 0;
/** A consumer loan of 50,000.00 to a borrower nobody has lent to yet. */
function fresh(overrides: Partial<LoanInput> = {}): LoanInput {
  counter += 1;
  return { ...sampleLoan(key, { loanRef: `T-${counter}`, idNumber: syntheticId(900_000 + counter) }), ...overrides };
}
/** Another loan to the same borrower as `loan`. */
function sameBorrower(loan: LoanInput, overrides: Partial<LoanInput> = {}): LoanInput {
  return fresh({ borrowerKey: loan.borrowerKey, ...overrides });
}

async function worldFixture() {
  const world = await deployWorld(connection);
  const credit = world.contracts.credit;
  const [reporter, outsider] = world.outsiders;
  await world.contracts.members.admit(
    legalIdHash("TLSCFMODULE000000001"),
    testEntityKey(legalIdHash("TLSCFMODULE000000001")),
    jurisdictionCode("CN"),
    roleMask(["Reporter"]),
    reporter,
  );
  // A module contract: an address with code, admitted as a member and listed by the governor.
  const moduleAddress = ethers.Wallet.createRandom().address;
  await networkHelpers.setCode(moduleAddress, "0x00");
  await networkHelpers.impersonateAccount(moduleAddress);
  await networkHelpers.setBalance(moduleAddress, 10n ** 20n);
  const moduleHash = legalIdHash("TLTRADEMODULE0000001");
  await world.contracts.members.admit(
    moduleHash,
    testEntityKey(moduleHash),
    jurisdictionCode("CN"),
    roleMask(["Reporter"]),
    moduleAddress,
  );
  await credit.setReporterModule(moduleAddress, true);
  const module = credit.connect(await ethers.getSigner(moduleAddress));
  const moduleId = await world.contracts.members.memberForKey(moduleAddress);
  const as = (who: string): CreditRegistry => credit.connect(world.admins[who]);
  return {
    world,
    credit,
    as,
    ids: world.ids,
    reporter,
    outsider,
    members: world.contracts.members,
    module,
    moduleAddress,
    moduleId,
  };
}

/** Admits `n` more lenders (the cast has four) and returns their registry handles. */
async function moreLenders(f: Awaited<ReturnType<typeof worldFixture>>, n: number): Promise<CreditRegistry[]> {
  const out: CreditRegistry[] = [];
  for (let i = 0; i < n; i++) {
    const signer = ethers.Wallet.createRandom().connect(ethers.provider);
    await networkHelpers.setBalance(signer.address, 10n ** 20n);
    const hash = legalIdHash(`TLEXTRALENDER0000${i}`);
    await f.members.admit(hash, testEntityKey(hash), jurisdictionCode("CN"), roleMask(["Lender"]), signer.address);
    out.push(f.credit.connect(signer));
  }
  return out;
}

async function exposure(credit: CreditRegistry, borrower: string): Promise<bigint[]> {
  const e = await credit.exposureOf(borrower);
  return [e.activeLoans, e.activeLenders, e.outstanding, e.defaults, e.inquiries];
}

/** The revert data of a batch record rejected with `name(args)`. */
function rejected(credit: CreditRegistry, name: string, args: unknown[]): string {
  return credit.interface.encodeErrorResult(name, args);
}

describe("CreditRegistry", function () {
  describe("deployment", function () {
    it("test_deploy_setsCurrencyAndPolicy", async function () {
      const { credit, members, world } = await networkHelpers.loadFixture(worldFixture);
      expect(await credit.reportingCurrency()).to.equal(currencyCode("CNY"));
      expect(await credit.memberRegistry()).to.equal(await members.getAddress());
      const p = await credit.policy();
      expect([
        p.maxLenders,
        p.maxInquiries,
        p.inquiryWindow,
        p.maxOutstanding,
        p.maxPlatformShareBps,
        p.mode,
        p.maxAprBps,
        p.graceDays,
      ]).to.deep.equal([3n, 5n, 2_592_000n, 0n, 3_000n, 0n, 3_600n, 15n]);
      expect(await credit.consentBook()).to.equal(await world.contracts.consents.getAddress());
      expect(await credit.borrowerCount()).to.equal(0n);
      expect(await credit.MAX_FUNDERS()).to.equal(8n);
    });

    it("test_constructor_revertsOnBadCurrencyOrPolicy", async function () {
      const { members, world } = await networkHelpers.loadFixture(worldFixture);
      const factory = await ethers.getContractFactory("CreditRegistry");
      const registry = await members.getAddress();
      const book = await world.contracts.consents.getAddress();
      await expect(factory.deploy(registry, book, "0x636e79", DEFAULT_POLICY))
        .to.be.revertedWithCustomError(factory, "CreditInvalidCurrency")
        .withArgs("0x636e79");
      await expect(
        factory.deploy(registry, book, currencyCode("CNY"), { ...DEFAULT_POLICY, maxPlatformShareBps: 10_001 }),
      )
        .to.be.revertedWithCustomError(factory, "CreditInvalidPlatformCap")
        .withArgs(10_001);
      await expect(
        factory.deploy(registry, book, currencyCode("CNY"), { ...DEFAULT_POLICY, inquiryWindow: 0 }),
      ).to.be.revertedWithCustomError(factory, "CreditInvalidInquiryWindow");
    });
  });

  describe("registerLoan", function () {
    it("test_registerLoan_recordsLoanAndAggregates", async function () {
      const { credit, as, ids } = await networkHelpers.loadFixture(worldFixture);
      const loan = fresh({ outstanding: 4_000_000n });
      const id = loanIdOf(ids.huaxia, `T-${counter}`);
      await expect(as("huaxia").registerLoan(loan))
        .to.emit(credit, "LoanRegistered")
        .withArgs(
          id,
          loan.borrowerKey,
          ids.huaxia,
          ids.huaxia,
          loan.loanRef,
          productKind("ConsumerLoan"),
          5_000_000n,
          4_000_000n,
          loan.originationDay,
          loan.maturityDay,
          loan.commitment,
        );
      expect(await credit.loanId(ids.huaxia, loan.loanRef)).to.equal(id);
      const r = await credit.getLoan(id);
      expect([r.borrowerKey, r.lender, r.kind, r.status, r.principal, r.outstanding]).to.deep.equal([
        loan.borrowerKey,
        ids.huaxia,
        0n,
        1n,
        5_000_000n,
        4_000_000n,
      ]);
      expect([r.originationDay, r.maturityDay]).to.deep.equal([BigInt(loan.originationDay), BigInt(loan.maturityDay)]);
      expect(await exposure(credit, String(loan.borrowerKey))).to.deep.equal([1n, 1n, 4_000_000n, 0n, 0n]);
      expect(await credit.borrowerCount()).to.equal(1n);
      expect(await credit.liveLoansOf(loan.borrowerKey, ids.huaxia)).to.equal(1n);
      expect(await credit.liveLoansOf(loan.borrowerKey, ids.golfo)).to.equal(0n);
      expect(await credit.liveLoansOf(fresh().borrowerKey, ids.huaxia)).to.equal(0n);
    });

    it("test_registerLoan_countsLoansAndDistinctLenders", async function () {
      const { credit, as, ids } = await networkHelpers.loadFixture(worldFixture);
      const first = fresh();
      await as("huaxia").registerLoan(first);
      await as("huaxia").registerLoan(sameBorrower(first, { outstanding: 1_000_000n }));
      expect(await exposure(credit, String(first.borrowerKey))).to.deep.equal([2n, 1n, 6_000_000n, 0n, 0n]);
      await as("golfo").registerLoan(sameBorrower(first));
      expect(await exposure(credit, String(first.borrowerKey))).to.deep.equal([3n, 2n, 11_000_000n, 0n, 0n]);
      expect(await credit.liveLoansOf(first.borrowerKey, ids.huaxia)).to.equal(2n);
      expect(await credit.borrowerCount()).to.equal(1n);
    });

    it("test_registerLoan_revertsWhenRegisteredTwice", async function () {
      const { credit, as, ids } = await networkHelpers.loadFixture(worldFixture);
      const loan = fresh();
      await as("huaxia").registerLoan(loan);
      const again = { ...sameBorrower(loan), loanRef: loan.loanRef };
      await expect(as("huaxia").registerLoan(again))
        .to.be.revertedWithCustomError(credit, "CreditLoanAlreadyRegistered")
        .withArgs(await credit.loanId(ids.huaxia, loan.loanRef));
      // The same reference at another lender is another loan.
      await as("golfo").registerLoan(again);
      expect(await exposure(credit, String(loan.borrowerKey))).to.deep.equal([2n, 2n, 10_000_000n, 0n, 0n]);
    });

    it("test_registerLoan_revertsOnBadInputAndChangesNothing", async function () {
      const { credit, as } = await networkHelpers.loadFixture(worldFixture);
      const today = dayOf(await networkHelpers.time.latest());
      const base = fresh();
      const cases: [Partial<LoanInput>, string, unknown[]][] = [
        [{ loanRef: ethers.ZeroHash }, "CreditInvalidLoanRef", []],
        [{ borrowerKey: ethers.ZeroHash }, "CreditInvalidBorrowerKey", []],
        [{ commitment: ethers.ZeroHash }, "CreditInvalidCommitment", []],
        [{ principal: 0n, outstanding: 0n }, "CreditInvalidAmounts", [0n, 0n]],
        [{ outstanding: 0n }, "CreditInvalidAmounts", [5_000_000n, 0n]],
        [{ outstanding: 5_000_001n }, "CreditInvalidAmounts", [5_000_000n, 5_000_001n]],
        [{ originationDay: today + 1, maturityDay: today + 30 }, "CreditInvalidDates", [today + 1, today + 30, today]],
        [
          { originationDay: today - 10, maturityDay: today - 11 },
          "CreditInvalidDates",
          [today - 10, today - 11, today],
        ],
        [{ kind: productKind("JointLoan") }, "CreditInvalidProductKind", [productKind("JointLoan")]],
      ];
      for (const [override, error, args] of cases) {
        await expect(as("huaxia").registerLoan({ ...base, ...override }))
          .to.be.revertedWithCustomError(credit, error)
          .withArgs(...args);
      }
      expect(await credit.borrowerCount()).to.equal(0n);
      expect(await exposure(credit, String(base.borrowerKey))).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
    });

    it("test_registerLoan_refusesOutsiderSuspendedAndNonLender", async function () {
      const { world, credit, members, outsider } = await networkHelpers.loadFixture(worldFixture);
      const loan = fresh();
      await expect(credit.connect(outsider).registerLoan(loan))
        .to.be.revertedWithCustomError(members, "MemberUnknownAccount")
        .withArgs(outsider.address);
      const glassworks = world.admins.glassworks;
      await expect(credit.connect(glassworks).registerLoan(loan))
        .to.be.revertedWithCustomError(members, "MemberMissingRole")
        .withArgs(glassworks.address, world.ids.glassworks, roleIndex("Lender"));
      await members.suspend(world.ids.golfo, REASON);
      await expect(credit.connect(world.admins.golfo).registerLoan(loan))
        .to.be.revertedWithCustomError(members, "MemberNotActive")
        .withArgs(world.admins.golfo.address, world.ids.golfo, MemberStatus.Suspended);
      expect(await credit.borrowerCount()).to.equal(0n);
    });
  });

  describe("policy", function () {
    async function threeLenders() {
      const f = await networkHelpers.loadFixture(worldFixture);
      const first = fresh();
      await f.as("huaxia").registerLoan(first);
      await f.as("golfo").registerLoan(sameBorrower(first));
      await f.as("pacific").registerLoan(sameBorrower(first));
      return { ...f, borrower: String(first.borrowerKey) };
    }

    it("test_policy_flagModeLetsAFourthLenderPassAndFlags", async function () {
      const { credit, as, ids, borrower } = await threeLenders();
      const fourth = fresh({ borrowerKey: borrower });
      await expect(as("quicklend").registerLoan(fourth))
        .to.emit(credit, "MultiBorrowingFlagged")
        .withArgs(borrower, await credit.loanId(ids.quicklend, fourth.loanRef), Limit.DistinctLenders, 4n, 3n);
      expect(await exposure(credit, borrower)).to.deep.equal([4n, 4n, 20_000_000n, 0n, 0n]);
    });

    it("test_policy_enforceModeRevertsAFourthLenderAndChangesNothing", async function () {
      const { credit, as, borrower } = await threeLenders();
      await credit.setPolicy({ ...DEFAULT_POLICY, mode: Mode.Enforce });
      await expect(as("quicklend").registerLoan(fresh({ borrowerKey: borrower })))
        .to.be.revertedWithCustomError(credit, "CreditPolicyLimitExceeded")
        .withArgs(borrower, Limit.DistinctLenders, 4n, 3n);
      expect(await exposure(credit, borrower)).to.deep.equal([3n, 3n, 15_000_000n, 0n, 0n]);
      // An existing lender adding a loan does not add a lender.
      await expect(as("huaxia").registerLoan(fresh({ borrowerKey: borrower }))).not.to.emit(
        credit,
        "MultiBorrowingFlagged",
      );
    });

    it("test_policy_outstandingLimitInBothModes", async function () {
      const { credit, as, ids } = await networkHelpers.loadFixture(worldFixture);
      await credit.setPolicy({ ...DEFAULT_POLICY, maxOutstanding: 8_000_000n });
      const first = fresh();
      await as("huaxia").registerLoan(first);
      const second = sameBorrower(first);
      await expect(as("huaxia").registerLoan(second))
        .to.emit(credit, "MultiBorrowingFlagged")
        .withArgs(
          first.borrowerKey,
          await credit.loanId(ids.huaxia, second.loanRef),
          Limit.Outstanding,
          10_000_000n,
          8_000_000n,
        );
      await credit.setPolicy({ ...DEFAULT_POLICY, maxOutstanding: 8_000_000n, mode: Mode.Enforce });
      await expect(as("huaxia").registerLoan(sameBorrower(first, { principal: 1n, outstanding: 1n })))
        .to.be.revertedWithCustomError(credit, "CreditPolicyLimitExceeded")
        .withArgs(first.borrowerKey, Limit.Outstanding, 10_000_001n, 8_000_000n);
    });

    it("item 15: the inquiry limit uses a rolling window, not a fixed one opened by the first inquiry", async function () {
      const f = await networkHelpers.loadFixture(worldFixture);
      const { credit, as, ids } = f;
      const [e1, e2] = await moreLenders(f, 2);
      const lenders = [as("huaxia"), as("golfo"), as("pacific"), as("quicklend"), e1, e2];
      const loan = fresh();
      const key = loan.borrowerKey;
      for (const l of lenders) await consentFor(l, key); // recorded first: the timing below is the inquiries' own
      const t0 = await networkHelpers.time.latest();
      await inquire(lenders[0], key);
      // Three lenders at day 29, three more just after day 30: six distinct lenders within a day and an hour.
      await networkHelpers.time.increaseTo(t0 + 29 * 86_400);
      for (const l of lenders.slice(1, 4)) await inquire(l, key);
      await networkHelpers.time.increaseTo(t0 + 30 * 86_400 + 3_600);
      for (const l of [lenders[4], lenders[5], lenders[0]]) await inquire(l, key);
      expect((await exposure(credit, String(key)))[4]).to.equal(6n);
      await expect(as("huaxia").registerLoan(loan))
        .to.emit(credit, "MultiBorrowingFlagged")
        .withArgs(key, await credit.loanId(ids.huaxia, loan.loanRef), Limit.Inquiries, 6n, 5n);
      // Each inquiry leaves the window exactly `inquiryWindow` seconds after it was made.
      await networkHelpers.time.increaseTo(t0 + 59 * 86_400 + 4);
      expect((await exposure(credit, String(key)))[4]).to.equal(3n);
      await networkHelpers.time.increaseTo(t0 + 60 * 86_400 + 3_600 + 4);
      expect((await exposure(credit, String(key)))[4]).to.equal(0n);
      await expect(as("huaxia").registerLoan(sameBorrower(loan))).not.to.emit(credit, "MultiBorrowingFlagged");
    });

    it("test_inquire_returnsWhatExposureOfShows_atTheWindowEdge", async function () {
      const { credit, as } = await networkHelpers.loadFixture(worldFixture);
      const key = fresh().borrowerKey;
      const golfoConsent = await consentFor(as("golfo"), key);
      await inquire(as("huaxia"), key);
      const t0 = await networkHelpers.time.latest();
      const window = DEFAULT_POLICY.inquiryWindow;
      await networkHelpers.time.increaseTo(t0 + window - 2);
      // One second before the edge, huaxia's inquiry still counts beside golfo's own; at the edge it has left.
      await networkHelpers.time.setNextBlockTimestamp(t0 + window - 1);
      expect(
        (await as("golfo").inquire.staticCall(key, PURPOSE, golfoConsent, { blockTag: "pending" })).inquiries,
      ).to.equal(2n);
      await networkHelpers.time.setNextBlockTimestamp(t0 + window);
      expect(
        (await as("golfo").inquire.staticCall(key, PURPOSE, golfoConsent, { blockTag: "pending" })).inquiries,
      ).to.equal(1n);
      await inquire(as("golfo"), key);
      expect(await networkHelpers.time.latest()).to.equal(t0 + window);
      expect((await exposure(credit, String(key)))[4]).to.equal(1n);
    });

    it("item 16: one lender's inquiries count once, so it cannot lock the borrower out of other lenders", async function () {
      const { credit, as } = await networkHelpers.loadFixture(worldFixture);
      await credit.setPolicy({ ...DEFAULT_POLICY, mode: Mode.Enforce });
      const loan = fresh();
      for (let i = 0; i < 6; i++) await inquire(as("golfo"), loan.borrowerKey);
      expect((await exposure(credit, String(loan.borrowerKey)))[4]).to.equal(1n);
      await as("huaxia").registerLoan(loan);
      expect((await exposure(credit, String(loan.borrowerKey)))[0]).to.equal(1n);
    });

    it("item 15: the ring keeps the most recent distinct lenders and the limit is capped where it is exact", async function () {
      const f = await networkHelpers.loadFixture(worldFixture);
      const { credit, as } = f;
      const extra = await moreLenders(f, 6);
      const key = fresh().borrowerKey;
      for (const l of [as("huaxia"), as("golfo"), as("pacific"), as("quicklend"), ...extra]) {
        await inquire(l, key);
      }
      expect(await credit.INQUIRY_SLOTS()).to.equal(8n);
      expect((await exposure(credit, String(key)))[4]).to.equal(8n);
      await expect(credit.setPolicy({ ...DEFAULT_POLICY, maxInquiries: 8 }))
        .to.be.revertedWithCustomError(credit, "CreditInvalidInquiryLimit")
        .withArgs(8, 7);
      await credit.setPolicy({ ...DEFAULT_POLICY, maxInquiries: 7, mode: Mode.Enforce });
      await expect(as("huaxia").registerLoan(fresh({ borrowerKey: key })))
        .to.be.revertedWithCustomError(credit, "CreditPolicyLimitExceeded")
        .withArgs(key, Limit.Inquiries, 8n, 7n);
    });

    it("test_setPolicy_byGovernorOnlyWithValidValues", async function () {
      const { credit, outsider, as } = await networkHelpers.loadFixture(worldFixture);
      const next = { ...DEFAULT_POLICY, maxLenders: 5, maxPlatformShareBps: 4_000, mode: Mode.Enforce };
      await expect(credit.setPolicy(next)).to.emit(credit, "PolicyUpdated");
      expect((await credit.policy()).maxLenders).to.equal(5n);
      for (const signer of [outsider, as("huaxia").runner]) {
        await expect(credit.connect(signer as typeof outsider).setPolicy(DEFAULT_POLICY))
          .to.be.revertedWithCustomError(COLD, "GovernorUnauthorizedAccount")
          .withArgs((signer as typeof outsider).address);
      }
      await expect(credit.setPolicy({ ...DEFAULT_POLICY, maxPlatformShareBps: 10_001 }))
        .to.be.revertedWithCustomError(credit, "CreditInvalidPlatformCap")
        .withArgs(10_001);
      await expect(credit.setPolicy({ ...DEFAULT_POLICY, inquiryWindow: 0 })).to.be.revertedWithCustomError(
        credit,
        "CreditInvalidInquiryWindow",
      );
      expect((await credit.policy()).maxLenders).to.equal(5n);
    });
  });

  describe("joint loans", function () {
    it("test_registerJointLoan_countsOnce", async function () {
      const { credit, as, ids } = await networkHelpers.loadFixture(worldFixture);
      const loan = fresh({ kind: productKind("JointLoan") });
      const funders = [
        { member: ids.huaxia, shareBps: 7_000 },
        { member: ids.quicklend, shareBps: 3_000 },
      ];
      await expect(as("huaxia").registerJointLoan(loan, funders))
        .to.emit(credit, "JointLoanFunded")
        .withArgs(await credit.loanId(ids.huaxia, loan.loanRef), [ids.huaxia, ids.quicklend], [7_000, 3_000]);
      expect(await exposure(credit, String(loan.borrowerKey))).to.deep.equal([1n, 1n, 5_000_000n, 0n, 0n]);
    });

    it("test_releaseJointLoanClaim_releasesOnlyAClaim_neverALoanOrAnUnknownRef", async function () {
      const { credit, as, ids } = await networkHelpers.loadFixture(worldFixture);
      const loan = fresh({ kind: productKind("JointLoan") });
      await as("huaxia").registerJointLoan(loan, [
        { member: ids.huaxia, shareBps: 7_000 },
        { member: ids.quicklend, shareBps: 3_000 },
      ]);
      const regulator = as("regulator");
      // The lead lender's own record is a loan, not a claim: releasing it would erase a live loan.
      for (const [member, ref] of [
        [ids.huaxia, loan.loanRef],
        [ids.quicklend, reasonCode("NEVER-USED")],
      ] as const) {
        await expect(regulator.releaseJointLoanClaim(member, ref, REASON))
          .to.be.revertedWithCustomError(credit, "CreditJointLoanClaimUnknown")
          .withArgs(member, ref);
      }
      const id = await credit.loanId(ids.huaxia, loan.loanRef);
      expect((await credit.getLoan(id)).status).to.equal(1n);
      // The funder's claim is released once, naming the lead lender's loan.
      await expect(regulator.releaseJointLoanClaim(ids.quicklend, loan.loanRef, REASON))
        .to.emit(credit, "JointLoanClaimReleased")
        .withArgs(ids.quicklend, loan.loanRef, id, ids.regulator, REASON);
    });

    it("test_registerJointLoan_revertsWhenPlatformOverCap", async function () {
      const { credit, as, ids } = await networkHelpers.loadFixture(worldFixture);
      const loan = fresh({ kind: productKind("JointLoan") });
      const funders = [
        { member: ids.huaxia, shareBps: 6_000 },
        { member: ids.quicklend, shareBps: 4_000 },
      ];
      await expect(as("huaxia").registerJointLoan(loan, funders))
        .to.be.revertedWithCustomError(credit, "CreditPlatformShareExceeded")
        .withArgs(ids.quicklend, 4_000, 3_000);
      await credit.setPolicy({ ...DEFAULT_POLICY, maxPlatformShareBps: 4_000 });
      await as("huaxia").registerJointLoan(loan, funders);
      expect((await credit.exposureOf(loan.borrowerKey)).activeLoans).to.equal(1n);
    });

    it("test_registerJointLoan_revertsOnBadSplit", async function () {
      const { credit, as, ids, members } = await networkHelpers.loadFixture(worldFixture);
      const loan = fresh({ kind: productKind("JointLoan") });
      const h = ids.huaxia;
      const g = ids.golfo;
      const nine = Array.from({ length: 9 }, (_, i) => ({ member: BigInt(i + 1), shareBps: 1_000 }));
      const glassworks = await members.getMember(ids.glassworks);
      const cases: [{ member: bigint; shareBps: number }[], string, unknown[]][] = [
        [[{ member: h, shareBps: 10_000 }], "CreditInvalidFunderCount", [1]],
        [nine, "CreditInvalidFunderCount", [9]],
        [
          [
            { member: h, shareBps: 5_000 },
            { member: h, shareBps: 5_000 },
          ],
          "CreditDuplicateFunder",
          [h],
        ],
        [
          [
            { member: h, shareBps: 10_000 },
            { member: g, shareBps: 0 },
          ],
          "CreditInvalidShare",
          [g],
        ],
        [
          [
            { member: h, shareBps: 5_000 },
            { member: g, shareBps: 4_000 },
          ],
          "CreditSharesNotWhole",
          [9_000],
        ],
        [
          [
            { member: h, shareBps: 5_000 },
            { member: ids.glassworks, shareBps: 5_000 },
          ],
          "CreditLenderIneligible",
          [ids.glassworks, MemberStatus.Active, glassworks.roles],
        ],
        [
          [
            { member: h, shareBps: 5_000 },
            { member: 99n, shareBps: 5_000 },
          ],
          "CreditLenderIneligible",
          [99n, MemberStatus.None, 0],
        ],
        [
          [
            { member: g, shareBps: 5_000 },
            { member: ids.pacific, shareBps: 5_000 },
          ],
          "CreditReporterNotFunder",
          [h],
        ],
      ];
      for (const [funders, error, args] of cases) {
        await expect(as("huaxia").registerJointLoan(loan, funders))
          .to.be.revertedWithCustomError(credit, error)
          .withArgs(...args);
      }
      await expect(
        as("huaxia").registerJointLoan({ ...loan, kind: productKind("SmeLoan") }, [
          { member: h, shareBps: 5_000 },
          { member: g, shareBps: 5_000 },
        ]),
      )
        .to.be.revertedWithCustomError(credit, "CreditInvalidProductKind")
        .withArgs(productKind("SmeLoan"));
      expect(await credit.borrowerCount()).to.equal(0n);
    });
  });

  describe("lifecycle", function () {
    it("test_fileLoanRepayment_partialThenFull", async function () {
      const { credit, as, ids } = await networkHelpers.loadFixture(worldFixture);
      const loan = fresh();
      await as("huaxia").registerLoan(loan);
      const id = await credit.loanId(ids.huaxia, loan.loanRef);
      await expect(as("huaxia").fileLoanRepayment(loan.loanRef, 1_000_000n))
        .to.emit(credit, "LoanRepaid")
        .withArgs(id, loan.borrowerKey, 1_000_000n, 4_000_000n);
      expect(await exposure(credit, String(loan.borrowerKey))).to.deep.equal([1n, 1n, 4_000_000n, 0n, 0n]);
      await expect(as("huaxia").fileLoanRepayment(loan.loanRef, 4_000_000n))
        .to.emit(credit, "LoanStatusChanged")
        .withArgs(id, loan.borrowerKey, loanStatus("Active"), loanStatus("Repaid"));
      expect((await credit.getLoan(id)).status).to.equal(BigInt(loanStatus("Repaid")));
      expect(await exposure(credit, String(loan.borrowerKey))).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
      expect(await credit.liveLoansOf(loan.borrowerKey, ids.huaxia)).to.equal(0n);
    });

    it("test_fileLoanStatus_overdueCuredDefaultedWrittenOff", async function () {
      const { credit, as, ids } = await networkHelpers.loadFixture(worldFixture);
      const loan = fresh();
      const borrower = String(loan.borrowerKey);
      await as("huaxia").registerLoan(loan);
      const id = await credit.loanId(ids.huaxia, loan.loanRef);
      const move = (to: string) => as("huaxia").fileLoanStatus(loan.loanRef, loanStatus(to));
      await expect(move("Overdue"))
        .to.emit(credit, "LoanStatusChanged")
        .withArgs(id, borrower, loanStatus("Active"), loanStatus("Overdue"));
      await move("Active");
      await move("Overdue");
      await as("huaxia").fileLoanRepayment(loan.loanRef, 500_000n);
      expect(await exposure(credit, borrower)).to.deep.equal([1n, 1n, 4_500_000n, 0n, 0n]);
      await move("Defaulted");
      expect(await exposure(credit, borrower)).to.deep.equal([1n, 1n, 4_500_000n, 1n, 0n]);
      await move("WrittenOff");
      expect(await exposure(credit, borrower)).to.deep.equal([0n, 0n, 0n, 1n, 0n]);
      const r = await credit.getLoan(id);
      expect([r.status, r.outstanding]).to.deep.equal([BigInt(loanStatus("WrittenOff")), 4_500_000n]);
    });

    it("test_fileLoanStatus_repaidSettlesInFull", async function () {
      const { credit, as } = await networkHelpers.loadFixture(worldFixture);
      const loan = fresh();
      await as("huaxia").registerLoan(loan);
      await as("huaxia").fileLoanStatus(loan.loanRef, loanStatus("Overdue"));
      await as("huaxia").fileLoanStatus(loan.loanRef, loanStatus("Repaid"));
      expect(await exposure(credit, String(loan.borrowerKey))).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
    });

    it("test_fileLoanStatus_revertsOnEveryTransitionOutsideTheTable", async function () {
      const { credit, as, ids } = await networkHelpers.loadFixture(worldFixture);
      const allowed = new Set([
        "Active>Overdue",
        "Active>Repaid",
        "Overdue>Active",
        "Overdue>Defaulted",
        "Overdue>Repaid",
        "Defaulted>Repaid",
        "Defaulted>WrittenOff",
      ]);
      const paths: Record<string, string[]> = {
        Active: [],
        Overdue: ["Overdue"],
        Defaulted: ["Overdue", "Defaulted"],
        WrittenOff: ["Overdue", "Defaulted", "WrittenOff"],
        Repaid: ["Repaid"],
      };
      for (const [from, path] of Object.entries(paths)) {
        const loan = fresh();
        await as("huaxia").registerLoan(loan);
        for (const step of path) await as("huaxia").fileLoanStatus(loan.loanRef, loanStatus(step));
        const id = await credit.loanId(ids.huaxia, loan.loanRef);
        const before = await exposure(credit, String(loan.borrowerKey));
        for (const to of LOAN_STATUSES) {
          if (allowed.has(`${from}>${to}`)) continue;
          await expect(as("huaxia").fileLoanStatus(loan.loanRef, loanStatus(to)))
            .to.be.revertedWithCustomError(credit, "CreditInvalidTransition")
            .withArgs(id, loanStatus(from), loanStatus(to));
        }
        expect(await exposure(credit, String(loan.borrowerKey))).to.deep.equal(before);
      }
    });

    it("test_fileLoanRepayment_revertsOnBadAmountOrStatus", async function () {
      const { credit, as, ids } = await networkHelpers.loadFixture(worldFixture);
      const loan = fresh();
      await as("huaxia").registerLoan(loan);
      const id = await credit.loanId(ids.huaxia, loan.loanRef);
      await expect(as("huaxia").fileLoanRepayment(loan.loanRef, 0n))
        .to.be.revertedWithCustomError(credit, "CreditInvalidRepayment")
        .withArgs(id, 0n, 5_000_000n);
      await expect(as("huaxia").fileLoanRepayment(loan.loanRef, 5_000_001n))
        .to.be.revertedWithCustomError(credit, "CreditInvalidRepayment")
        .withArgs(id, 5_000_001n, 5_000_000n);
      await as("huaxia").fileLoanStatus(loan.loanRef, loanStatus("Overdue"));
      await as("huaxia").fileLoanStatus(loan.loanRef, loanStatus("Defaulted"));
      await as("huaxia").fileLoanStatus(loan.loanRef, loanStatus("WrittenOff"));
      await expect(as("huaxia").fileLoanRepayment(loan.loanRef, 1n))
        .to.be.revertedWithCustomError(credit, "CreditLoanNotPerforming")
        .withArgs(id, loanStatus("WrittenOff"));
      const unknown = loanRef("NO-SUCH-LOAN");
      await expect(as("huaxia").fileLoanRepayment(unknown, 1n))
        .to.be.revertedWithCustomError(credit, "CreditLoanUnknown")
        .withArgs(await credit.loanId(ids.huaxia, unknown));
    });

    it("test_lifecycle_revertsWhenAnotherLenderTouchesTheLoan", async function () {
      const { credit, as, ids } = await networkHelpers.loadFixture(worldFixture);
      const loan = fresh();
      await as("huaxia").registerLoan(loan);
      const theirs = await credit.loanId(ids.golfo, loan.loanRef);
      await expect(as("golfo").fileLoanRepayment(loan.loanRef, 1n))
        .to.be.revertedWithCustomError(credit, "CreditLoanUnknown")
        .withArgs(theirs);
      await expect(as("golfo").fileLoanStatus(loan.loanRef, loanStatus("Overdue")))
        .to.be.revertedWithCustomError(credit, "CreditLoanUnknown")
        .withArgs(theirs);
      await expect(as("golfo").fileLoanRepayments([{ loanRef: loan.loanRef, amount: 1n }]))
        .to.be.revertedWithCustomError(credit, "CreditBatchRecordRejected")
        .withArgs(0, rejected(credit, "CreditLoanUnknown", [theirs]));
      expect(await exposure(credit, String(loan.borrowerKey))).to.deep.equal([1n, 1n, 5_000_000n, 0n, 0n]);
    });

    it("test_lifecycle_refusesOutsiderAndSuspendedLender", async function () {
      const { world, credit, as, members, outsider } = await networkHelpers.loadFixture(worldFixture);
      const loan = fresh();
      await as("huaxia").registerLoan(loan);
      await expect(credit.connect(outsider).fileLoanRepayment(loan.loanRef, 1n))
        .to.be.revertedWithCustomError(members, "MemberUnknownAccount")
        .withArgs(outsider.address);
      await expect(credit.connect(outsider).fileLoanStatus(loan.loanRef, loanStatus("Overdue")))
        .to.be.revertedWithCustomError(members, "MemberUnknownAccount")
        .withArgs(outsider.address);
      const huaxiaConsent = await consentFor(as("huaxia"), loan.borrowerKey);
      await members.suspend(world.ids.huaxia, REASON);
      const huaxia = world.admins.huaxia.address;
      for (const send of [
        () => as("huaxia").fileLoanRepayment(loan.loanRef, 1n),
        () => as("huaxia").fileLoanStatus(loan.loanRef, loanStatus("Overdue")),
        () => as("huaxia").fileLoanRepayments([{ loanRef: loan.loanRef, amount: 1n }]),
        () => as("huaxia").inquire(loan.borrowerKey, PURPOSE, huaxiaConsent),
      ]) {
        await expect(send())
          .to.be.revertedWithCustomError(members, "MemberNotActive")
          .withArgs(huaxia, world.ids.huaxia, MemberStatus.Suspended);
      }
      expect(await exposure(credit, String(loan.borrowerKey))).to.deep.equal([1n, 1n, 5_000_000n, 0n, 0n]);
    });
  });

  describe("batches", function () {
    it("test_registerLoans_recordsEveryRecord", async function () {
      const { credit, as } = await networkHelpers.loadFixture(worldFixture);
      const first = fresh();
      const loans = [first, fresh(), sameBorrower(first, { outstanding: 1_000_000n })];
      await expect(as("huaxia").registerLoans(loans)).to.emit(credit, "LoanRegistered");
      expect(await credit.borrowerCount()).to.equal(2n);
      expect(await exposure(credit, String(first.borrowerKey))).to.deep.equal([2n, 1n, 6_000_000n, 0n, 0n]);
    });

    it("test_registerLoans_rejectsTheBatchNamingTheBadRecord", async function () {
      const { credit, as, ids } = await networkHelpers.loadFixture(worldFixture);
      const good = fresh();
      const cases: [LoanInput[], number, string, unknown[]][] = [
        [[good, fresh(), fresh({ principal: 0n })], 2, "CreditInvalidAmounts", [0n, 5_000_000n]],
        [
          [good, { ...fresh(), loanRef: good.loanRef }],
          1,
          "CreditLoanAlreadyRegistered",
          [await credit.loanId(ids.huaxia, good.loanRef)],
        ],
        [[good, fresh({ kind: productKind("JointLoan") })], 1, "CreditInvalidProductKind", [productKind("JointLoan")]],
        [[fresh({ commitment: ethers.ZeroHash }), good], 0, "CreditInvalidCommitment", []],
      ];
      for (const [loans, index, error, args] of cases) {
        const tx = as("huaxia").registerLoans(loans);
        await expect(tx)
          .to.be.revertedWithCustomError(credit, "CreditBatchRecordRejected")
          .withArgs(index, rejected(credit, error, args));
      }
      await expect(as("huaxia").registerLoans([])).to.be.revertedWithCustomError(credit, "CreditEmptyBatch");
      expect(await credit.borrowerCount()).to.equal(0n);
    });

    it("test_registerLoans_enforcedLimitRejectsTheRecord", async function () {
      const { credit, as } = await networkHelpers.loadFixture(worldFixture);
      await credit.setPolicy({ ...DEFAULT_POLICY, maxOutstanding: 6_000_000n, mode: Mode.Enforce });
      const first = fresh();
      const err = await as("huaxia")
        .registerLoans([first, sameBorrower(first)])
        .then(() => undefined)
        .catch((e: unknown) => e);
      expect(decodeError(err)?.message).to.equal(
        `CreditBatchRecordRejected(index=1, reason=CreditPolicyLimitExceeded(borrowerKey=${first.borrowerKey}, ` +
          `limit=Outstanding, value=10000000, max=6000000))`,
      );
      expect(await credit.borrowerCount()).to.equal(0n);
    });

    it("test_fileLoanRepayments_appliesAllOrNothing", async function () {
      const { credit, as, ids } = await networkHelpers.loadFixture(worldFixture);
      const [a, b] = [fresh(), fresh()];
      await as("huaxia").registerLoans([a, b]);
      const id = await credit.loanId(ids.huaxia, b.loanRef);
      await expect(
        as("huaxia").fileLoanRepayments([
          { loanRef: a.loanRef, amount: 1_000n },
          { loanRef: b.loanRef, amount: 6_000_000n },
        ]),
      )
        .to.be.revertedWithCustomError(credit, "CreditBatchRecordRejected")
        .withArgs(1, rejected(credit, "CreditInvalidRepayment", [id, 6_000_000n, 5_000_000n]));
      expect(await exposure(credit, String(a.borrowerKey))).to.deep.equal([1n, 1n, 5_000_000n, 0n, 0n]);
      await as("huaxia").fileLoanRepayments([
        { loanRef: a.loanRef, amount: 1_000n },
        { loanRef: b.loanRef, amount: 5_000_000n },
      ]);
      expect(await exposure(credit, String(a.borrowerKey))).to.deep.equal([1n, 1n, 4_999_000n, 0n, 0n]);
      expect(await exposure(credit, String(b.borrowerKey))).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
      await expect(as("huaxia").fileLoanRepayments([])).to.be.revertedWithCustomError(credit, "CreditEmptyBatch");
    });
  });

  describe("inquiries", function () {
    it("test_inquire_logsAndReturnsTheExposure", async function () {
      const { credit, as, ids } = await networkHelpers.loadFixture(worldFixture);
      const loan = fresh();
      await as("huaxia").registerLoan(loan);
      const consent = await consentFor(as("golfo"), loan.borrowerKey);
      const preview = await as("golfo").inquire.staticCall(loan.borrowerKey, PURPOSE, consent);
      expect([preview.activeLoans, preview.outstanding, preview.inquiries]).to.deep.equal([1n, 5_000_000n, 1n]);
      expect((await credit.exposureOf(loan.borrowerKey)).inquiries).to.equal(0n);
      await expect(as("golfo").inquire(loan.borrowerKey, PURPOSE, consent))
        .to.emit(credit, "CreditInquired")
        .withArgs(ids.golfo, loan.borrowerKey, PURPOSE, consent);
      await inquire(as("pacific"), loan.borrowerKey);
      expect((await credit.exposureOf(loan.borrowerKey)).inquiries).to.equal(2n);
      await networkHelpers.time.increase(30 * 86_400);
      await inquire(as("pacific"), loan.borrowerKey);
      expect((await credit.exposureOf(loan.borrowerKey)).inquiries).to.equal(1n);
    });

    it("test_inquire_refusesOutsiderNonLenderAndBadInput", async function () {
      const { world, credit, as, members, outsider, ids } = await networkHelpers.loadFixture(worldFixture);
      const borrower = fresh().borrowerKey;
      const consent = await consentFor(as("huaxia"), borrower);
      const book = world.contracts.consents;
      await expect(credit.connect(outsider).inquire(borrower, PURPOSE, CONSENT))
        .to.be.revertedWithCustomError(members, "MemberUnknownAccount")
        .withArgs(outsider.address);
      await expect(credit.connect(world.admins.cristal).inquire(borrower, PURPOSE, CONSENT))
        .to.be.revertedWithCustomError(members, "MemberMissingRole")
        .withArgs(world.admins.cristal.address, world.ids.cristal, roleIndex("Lender"));
      await expect(as("huaxia").inquire(ethers.ZeroHash, PURPOSE, CONSENT)).to.be.revertedWithCustomError(
        credit,
        "CreditInvalidBorrowerKey",
      );
      // The consent book's refusals: no such consent, another purpose, another borrower, another lender.
      await expect(as("huaxia").inquire(borrower, PURPOSE, ethers.ZeroHash))
        .to.be.revertedWithCustomError(book, "ConsentUnknown")
        .withArgs(ethers.ZeroHash);
      await expect(as("huaxia").inquire(borrower, 2, consent))
        .to.be.revertedWithCustomError(book, "ConsentPurposeMismatch")
        .withArgs(consent, PURPOSE, 2);
      const other = fresh().borrowerKey;
      await expect(as("huaxia").inquire(other, PURPOSE, consent))
        .to.be.revertedWithCustomError(book, "ConsentBorrowerMismatch")
        .withArgs(consent, borrower, other);
      await expect(as("golfo").inquire(borrower, PURPOSE, consent))
        .to.be.revertedWithCustomError(book, "ConsentMemberNotCovered")
        .withArgs(consent, ids.golfo);
      expect((await credit.exposureOf(borrower)).inquiries).to.equal(0n);
    });
  });

  describe("modules", function () {
    const REF = loanRef("RF-1");
    const COMMIT = hashOf("module record");

    it("test_reportExposure_booksUnderTheBorrowersEntityKeyAndTheModulesId", async function () {
      const { credit, ids, members, module, moduleId } = await networkHelpers.loadFixture(worldFixture);
      const key = await members.entityKeyOf(ids.glassworks);
      const today = dayOf(await networkHelpers.time.latest());
      const id = await credit.loanId(moduleId, REF);
      await expect(
        module.reportExposure(
          ids.huaxia,
          ids.glassworks,
          REF,
          productKind("ReceivableFinance"),
          700n,
          today,
          today + 90,
          COMMIT,
        ),
      )
        .to.emit(credit, "LoanRegistered")
        .withArgs(
          id,
          key,
          ids.huaxia,
          moduleId,
          REF,
          productKind("ReceivableFinance"),
          700n,
          700n,
          today,
          today + 90,
          COMMIT,
        );
      expect(await exposure(credit, key)).to.deep.equal([1n, 1n, 700n, 0n, 0n]);
      expect(await credit.liveLoansOf(key, ids.huaxia)).to.equal(1n);
    });

    it("test_reportExposure_isFlaggedNotRefusedInEnforceMode", async function () {
      const { credit, as, ids, members, module, moduleId } = await networkHelpers.loadFixture(worldFixture);
      await credit.setPolicy({ ...DEFAULT_POLICY, maxOutstanding: 1_000n, mode: Mode.Enforce });
      const key = await members.entityKeyOf(ids.glassworks);
      await as("golfo").registerLoan(fresh({ borrowerKey: key, principal: 900n, outstanding: 900n }));
      await expect(
        module.reportExposure(
          ids.huaxia,
          ids.glassworks,
          REF,
          productKind("TradeFinance"),
          700n,
          await chainDay(),
          30_000,
          COMMIT,
        ),
      )
        .to.emit(credit, "MultiBorrowingFlagged")
        .withArgs(key, await credit.loanId(moduleId, REF), Limit.Outstanding, 1_600n, 1_000n);
    });

    it("test_reportExposure_refusesUnknownLenderUnkeyedBorrowerJointKindAndDatesPastToday", async function () {
      const { credit, ids, module } = await networkHelpers.loadFixture(worldFixture);
      const kind = productKind("ReceivableFinance");
      // The lender's role and status are the module's to check when the money moves (review 7, G1): the registry
      // refuses only a lender that is no member at all.
      await expect(module.reportExposure(999n, ids.glassworks, REF, kind, 1n, await chainDay(), 30_000, COMMIT))
        .to.be.revertedWithCustomError(credit, "CreditLenderIneligible")
        .withArgs(999n, MemberStatus.None, 0n);
      // The module's dates: never after today, never maturing before the origination.
      const today = await chainDay();
      await expect(module.reportExposure(ids.huaxia, ids.glassworks, REF, kind, 1n, today + 1, 30_000, COMMIT))
        .to.be.revertedWithCustomError(credit, "CreditInvalidDates")
        .withArgs(today + 1, 30_000, today);
      await expect(module.reportExposure(ids.huaxia, ids.glassworks, REF, kind, 1n, today, today - 1, COMMIT))
        .to.be.revertedWithCustomError(credit, "CreditInvalidDates")
        .withArgs(today, today - 1, today);
      await expect(module.reportExposure(ids.huaxia, 999n, REF, kind, 1n, await chainDay(), 30_000, COMMIT))
        .to.be.revertedWithCustomError(credit, "CreditBorrowerKeyUnknown")
        .withArgs(999n);
      await expect(
        module.reportExposure(
          ids.huaxia,
          ids.glassworks,
          REF,
          productKind("JointLoan"),
          1n,
          await chainDay(),
          30_000,
          COMMIT,
        ),
      )
        .to.be.revertedWithCustomError(credit, "CreditInvalidProductKind")
        .withArgs(productKind("JointLoan"));
      expect(await credit.borrowerCount()).to.equal(0n);
    });

    it("item 28: only governor-listed module contracts use the module API; a bank with the Reporter role books nothing", async function () {
      const { world, credit, as, ids, reporter, members, module, moduleAddress } =
        await networkHelpers.loadFixture(worldFixture);
      const kind = productKind("ReceivableFinance");
      expect(await members.activeInRole(reporter.address, roleIndex("Reporter"))).to.equal(true);
      for (const caller of [credit.connect(reporter), as("huaxia")]) {
        const who = await (caller.runner as typeof reporter).getAddress();
        await expect(caller.reportExposure(ids.huaxia, ids.glassworks, REF, kind, 1n, await chainDay(), 30_000, COMMIT))
          .to.be.revertedWithCustomError(credit, "CreditReporterNotModule")
          .withArgs(who);
        await expect(caller.reportDefault(ids.huaxia, ids.glassworks, REF, kind, 1n, await chainDay(), COMMIT))
          .to.be.revertedWithCustomError(credit, "CreditReporterNotModule")
          .withArgs(who);
        await expect(caller.closeExposure(REF, await chainDay())).to.be.revertedWithCustomError(
          credit,
          "CreditReporterNotModule",
        );
      }
      await expect(credit.setReporterModule(reporter.address, true))
        .to.be.revertedWithCustomError(credit, "CreditReporterModuleInvalid")
        .withArgs(reporter.address);
      await expect(as("huaxia").setReporterModule(moduleAddress, false))
        .to.be.revertedWithCustomError(COLD, "GovernorUnauthorizedAccount")
        .withArgs(world.admins.huaxia.address);
      expect(await credit.isReporterModule(moduleAddress)).to.equal(true);
      await expect(credit.setReporterModule(moduleAddress, false))
        .to.emit(credit, "ReporterModuleSet")
        .withArgs(moduleAddress, false);
      await expect(module.reportExposure(ids.huaxia, ids.glassworks, REF, kind, 1n, await chainDay(), 30_000, COMMIT))
        .to.be.revertedWithCustomError(credit, "CreditReporterNotModule")
        .withArgs(moduleAddress);
      expect(await credit.borrowerCount()).to.equal(0n);
    });

    it("item 14: a default is always reportable, even for a borrower over every limit in enforce mode", async function () {
      const { credit, as, ids, members, module, moduleId } = await networkHelpers.loadFixture(worldFixture);
      const key = await members.entityKeyOf(ids.pearl);
      await credit.setPolicy({ ...DEFAULT_POLICY, maxLenders: 1, maxOutstanding: 1_000n, mode: Mode.Enforce });
      const golfoLoan = fresh({ borrowerKey: key, principal: 1_000n, outstanding: 1_000n });
      await as("golfo").registerLoan(golfoLoan);
      await expect(as("huaxia").registerLoan(fresh({ borrowerKey: key, principal: 1n, outstanding: 1n })))
        .to.be.revertedWithCustomError(credit, "CreditPolicyLimitExceeded")
        .withArgs(key, Limit.DistinctLenders, 2n, 1n);
      const id = await credit.loanId(moduleId, REF);
      const tx = module.reportDefault(
        ids.huaxia,
        ids.pearl,
        REF,
        productKind("ReceivableFinance"),
        5_000n,
        await chainDay(),
        COMMIT,
      );
      await expect(tx)
        .to.emit(credit, "LoanStatusChanged")
        .withArgs(id, key, loanStatus("None"), loanStatus("Defaulted"));
      await expect(tx).not.to.emit(credit, "MultiBorrowingFlagged");
      expect(await exposure(credit, key)).to.deep.equal([2n, 2n, 6_000n, 1n, 0n]);
      expect((await credit.getLoan(id)).status).to.equal(BigInt(loanStatus("Defaulted")));
      // A suspended financier's default is still reported; a lender's own move to Defaulted never meets the policy.
      await members.suspend(ids.huaxia, REASON);
      await module.reportDefault(
        ids.huaxia,
        ids.pearl,
        loanRef("RF-2"),
        productKind("ReceivableFinance"),
        1n,
        await chainDay(),
        COMMIT,
      );
      expect((await exposure(credit, key))[3]).to.equal(2n);
      await as("golfo").fileLoanStatus(golfoLoan.loanRef, loanStatus("Overdue"));
      await expect(as("golfo").fileLoanStatus(golfoLoan.loanRef, loanStatus("Defaulted"))).not.to.emit(
        credit,
        "MultiBorrowingFlagged",
      );
      expect((await exposure(credit, key))[3]).to.equal(3n);
    });

    it("test_closeExposure_settlesLiveRecordsAndIsIdempotent", async function () {
      const { credit, as, ids, members, module, moduleId } = await networkHelpers.loadFixture(worldFixture);
      const key = await members.entityKeyOf(ids.glassworks);
      const kind = productKind("ReceivableFinance");
      await module.reportExposure(ids.huaxia, ids.glassworks, REF, kind, 700n, await chainDay(), 30_000, COMMIT);
      const id = await credit.loanId(moduleId, REF);
      expect(await module.closeExposure.staticCall(REF, await chainDay())).to.equal(true);
      await expect(module.closeExposure(REF, await chainDay()))
        .to.emit(credit, "LoanStatusChanged")
        .withArgs(id, key, loanStatus("Active"), loanStatus("Repaid"));
      expect(await module.closeExposure.staticCall(REF, await chainDay())).to.equal(false);
      await expect(module.closeExposure(REF, await chainDay())).not.to.emit(credit, "LoanStatusChanged");
      expect(await exposure(credit, key)).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
      // A record a Regulator corrected to WrittenOff stays as corrected; a Defaulted one is settled.
      const ref2 = loanRef("RF-2");
      await module.reportExposure(ids.huaxia, ids.glassworks, ref2, kind, 500n, await chainDay(), 30_000, COMMIT);
      await as("regulator").openDispute(moduleId, ref2, REASON);
      const fix = { status: loanStatus("WrittenOff"), outstanding: 500n, commitment: COMMIT };
      await as("regulator").correctLoan(moduleId, ref2, fix, REASON);
      expect(await module.closeExposure.staticCall(ref2, await chainDay())).to.equal(false);
      const ref3 = loanRef("RF-3");
      await module.reportDefault(ids.huaxia, ids.glassworks, ref3, kind, 300n, await chainDay(), COMMIT);
      await module.closeExposure(ref3, await chainDay());
      // Both stay negative records for five years: the written-off one, and the default settled after all.
      expect(await exposure(credit, key)).to.deep.equal([0n, 0n, 0n, 2n, 0n]);
      const unknown = loanRef("NOPE");
      await expect(module.closeExposure(unknown, await chainDay()))
        .to.be.revertedWithCustomError(credit, "CreditLoanUnknown")
        .withArgs(await credit.loanId(moduleId, unknown));
    });

    it("test_closeExposure_startsASettledDefaultsRetentionOnTheModulesDay", async function () {
      const { credit, members, ids, module, moduleId } = await networkHelpers.loadFixture(worldFixture);
      const key = await members.entityKeyOf(ids.glassworks);
      const kind = productKind("ReceivableFinance");
      const origination = await chainDay();
      const until = async (ref: string) => (await credit.termsOf(await credit.loanId(moduleId, ref))).negativeUntil;
      // Three defaults booked today, settled 20 days on: the module saw the first paid 15 days earlier (held in
      // its queue while the registry was paused), the second before its own origination, the third in the future.
      const [early, before, future] = [loanRef("RET-1"), loanRef("RET-2"), loanRef("RET-3")];
      for (const ref of [early, before, future]) {
        await module.reportDefault(ids.huaxia, ids.glassworks, ref, kind, 100n, origination, COMMIT);
      }
      await networkHelpers.time.increase(20 * 86_400);
      const today = await chainDay();
      await module.closeExposure(early, today - 15);
      await module.closeExposure(before, origination - 30);
      await module.closeExposure(future, today + 400);
      expect(await until(early)).to.equal(BigInt(addMonths(today - 15, 60)));
      expect(await until(before)).to.equal(BigInt(addMonths(origination, 60)));
      expect(await until(future)).to.equal(BigInt(addMonths(await chainDay(), 60)));
      expect((await exposure(credit, key))[3]).to.equal(3n);
    });

    it("test_defaultExposure_movesALiveRecordToDefaultedOnce_amountsUnchanged", async function () {
      const { world, credit, as, ids, members, module, moduleId } = await networkHelpers.loadFixture(worldFixture);
      const key = await members.entityKeyOf(ids.glassworks);
      const kind = productKind("ReceivableFinance");
      await module.reportExposure(ids.huaxia, ids.glassworks, REF, kind, 700n, await chainDay(), 30_000, COMMIT);
      const id = await credit.loanId(moduleId, REF);
      expect(await module.defaultExposure.staticCall(REF)).to.equal(true);
      await expect(module.defaultExposure(REF))
        .to.emit(credit, "LoanStatusChanged")
        .withArgs(id, key, loanStatus("Active"), loanStatus("Defaulted"));
      expect(await exposure(credit, key)).to.deep.equal([1n, 1n, 700n, 1n, 0n]);
      expect((await credit.getLoan(id)).principal).to.equal(700n);
      // Already Defaulted: nothing; settled later, it stays a negative record; closed, nothing again.
      expect(await module.defaultExposure.staticCall(REF)).to.equal(false);
      await expect(module.defaultExposure(REF)).not.to.emit(credit, "LoanStatusChanged");
      await module.closeExposure(REF, await chainDay());
      expect(await module.defaultExposure.staticCall(REF)).to.equal(false);
      expect(await exposure(credit, key)).to.deep.equal([0n, 0n, 0n, 1n, 0n]);
      // An Overdue record (a Regulator's correction) moves too; a WrittenOff one stays as corrected.
      const ref2 = loanRef("RF-2");
      await module.reportExposure(ids.huaxia, ids.glassworks, ref2, kind, 500n, await chainDay(), 30_000, COMMIT);
      await as("regulator").openDispute(moduleId, ref2, REASON);
      const overdue = { status: loanStatus("Overdue"), outstanding: 500n, commitment: COMMIT };
      await as("regulator").correctLoan(moduleId, ref2, overdue, REASON);
      await expect(module.defaultExposure(ref2))
        .to.emit(credit, "LoanStatusChanged")
        .withArgs(await credit.loanId(moduleId, ref2), key, loanStatus("Overdue"), loanStatus("Defaulted"));
      const ref3 = loanRef("RF-3");
      await module.reportExposure(ids.huaxia, ids.glassworks, ref3, kind, 300n, await chainDay(), 30_000, COMMIT);
      await as("regulator").openDispute(moduleId, ref3, REASON);
      const writtenOff = { status: loanStatus("WrittenOff"), outstanding: 300n, commitment: COMMIT };
      await as("regulator").correctLoan(moduleId, ref3, writtenOff, REASON);
      expect(await module.defaultExposure.staticCall(ref3)).to.equal(false);
      const unknown = loanRef("NOPE");
      await expect(module.defaultExposure(unknown))
        .to.be.revertedWithCustomError(credit, "CreditLoanUnknown")
        .withArgs(await credit.loanId(moduleId, unknown));
      await expect(as("huaxia").defaultExposure(REF))
        .to.be.revertedWithCustomError(credit, "CreditReporterNotModule")
        .withArgs(world.admins.huaxia.address);
    });

    it("review 4, A1: a module's further default under a Defaulted record's reference is added to that record", async function () {
      const { credit, ids, members, module, moduleId } = await networkHelpers.loadFixture(worldFixture);
      const key = await members.entityKeyOf(ids.glassworks);
      const kind = productKind("ReceivableFinance");
      await module.reportDefault(ids.huaxia, ids.glassworks, REF, kind, 300n, await chainDay(), COMMIT);
      const id = await credit.loanId(moduleId, REF);
      const more = ethers.id("second piece");
      await expect(module.reportDefault(ids.huaxia, ids.glassworks, REF, kind, 200n, await chainDay(), more))
        .to.emit(credit, "DefaultAdded")
        .withArgs(id, key, 200n, 500n, more)
        .and.not.to.emit(credit, "LoanStatusChanged");
      const record = await credit.getLoan(id);
      expect([record.principal, record.outstanding, record.status]).to.deep.equal([
        500n,
        500n,
        BigInt(loanStatus("Defaulted")),
      ]);
      // One default, of the two amounts: [active loans, lenders, outstanding, defaults, inquiries].
      expect(await exposure(credit, key)).to.deep.equal([1n, 1n, 500n, 1n, 0n]);
      // The reference is that lender's record about that borrower: another lender or borrower is refused.
      await expect(module.reportDefault(ids.golfo, ids.glassworks, REF, kind, 1n, await chainDay(), COMMIT))
        .to.be.revertedWithCustomError(credit, "CreditLoanAlreadyRegistered")
        .withArgs(id);
      await expect(module.reportDefault(ids.huaxia, ids.pearl, REF, kind, 1n, await chainDay(), COMMIT))
        .to.be.revertedWithCustomError(credit, "CreditLoanAlreadyRegistered")
        .withArgs(id);
      // Settled, the record takes no more, but the report is not refused (it would block its reference's queue in
      // the module for good): it is left as it is, with an event.
      await module.closeExposure(REF, await chainDay());
      await expect(module.reportDefault(ids.huaxia, ids.glassworks, REF, kind, 1n, await chainDay(), COMMIT))
        .to.emit(credit, "DefaultNotAdded")
        .withArgs(id, key, 1n, loanStatus("Repaid"));
      expect((await credit.getLoan(id)).principal).to.equal(500n);
    });

    it("review 5, R5-1: a further default on a record a Regulator corrected is booked, never refused", async function () {
      const { credit, as, ids, members, module, moduleId } = await networkHelpers.loadFixture(worldFixture);
      const key = await members.entityKeyOf(ids.glassworks);
      const kind = productKind("ReceivableFinance");
      await module.reportDefault(ids.huaxia, ids.glassworks, REF, kind, 600n, await chainDay(), COMMIT);
      const id = await credit.loanId(moduleId, REF);
      // The Regulator rules the first piece overdue, not a default yet.
      await as("regulator").openDispute(moduleId, REF, REASON);
      const overdue = { status: loanStatus("Overdue"), outstanding: 600n, commitment: COMMIT };
      await as("regulator").correctLoan(moduleId, REF, overdue, REASON);
      expect(await exposure(credit, key)).to.deep.equal([1n, 1n, 600n, 0n, 0n]);
      // A second piece defaults: the record becomes Defaulted, with both amounts.
      await expect(module.reportDefault(ids.huaxia, ids.glassworks, REF, kind, 400n, await chainDay(), COMMIT))
        .to.emit(credit, "LoanStatusChanged")
        .withArgs(id, key, loanStatus("Overdue"), loanStatus("Defaulted"))
        .and.to.emit(credit, "DefaultAdded")
        .withArgs(id, key, 400n, 1_000n, COMMIT);
      expect(await exposure(credit, key)).to.deep.equal([1n, 1n, 1_000n, 1n, 0n]);
      // Written off by the Regulator, it is a retained negative record: a further default is not added to it.
      const writtenOff = { status: loanStatus("WrittenOff"), outstanding: 1_000n, commitment: COMMIT };
      await as("regulator").correctLoan(moduleId, REF, writtenOff, REASON);
      await expect(module.reportDefault(ids.huaxia, ids.glassworks, REF, kind, 1n, await chainDay(), COMMIT))
        .to.emit(credit, "DefaultNotAdded")
        .withArgs(id, key, 1n, loanStatus("WrittenOff"));
      const record = await credit.getLoan(id);
      expect([record.principal, record.outstanding, record.status]).to.deep.equal([
        1_000n,
        1_000n,
        BigInt(loanStatus("WrittenOff")),
      ]);
    });
  });

  describe("item 11: joint loans", function () {
    const funders = (ids: Record<string, bigint>) => [
      { member: ids.huaxia, shareBps: 7_000 },
      { member: ids.quicklend, shareBps: 3_000 },
    ];

    it("item 11: a funder named in a joint loan cannot book the same facility again", async function () {
      const { credit, as, ids } = await networkHelpers.loadFixture(worldFixture);
      const loan = fresh({ kind: productKind("JointLoan") });
      await as("huaxia").registerJointLoan(loan, funders(ids));
      const joint = await credit.loanId(ids.huaxia, loan.loanRef);
      expect(await credit.jointLoanOf(ids.quicklend, loan.loanRef)).to.equal(joint);
      expect(await credit.jointLoanOf(ids.golfo, loan.loanRef)).to.equal(ethers.ZeroHash);
      const again = { ...loan, kind: productKind("ConsumerLoan") };
      await expect(as("quicklend").registerLoan(again))
        .to.be.revertedWithCustomError(credit, "CreditJointLoanFunderBooked")
        .withArgs(ids.quicklend, loan.loanRef, joint);
      await expect(as("quicklend").registerLoans([fresh(), again]))
        .to.be.revertedWithCustomError(credit, "CreditBatchRecordRejected")
        .withArgs(1, rejected(credit, "CreditJointLoanFunderBooked", [ids.quicklend, loan.loanRef, joint]));
      // Nor as the reporter of its own joint loan over the same facility.
      const reversed = [
        { member: ids.quicklend, shareBps: 3_000 },
        { member: ids.huaxia, shareBps: 7_000 },
      ];
      await expect(as("quicklend").registerJointLoan(loan, reversed))
        .to.be.revertedWithCustomError(credit, "CreditJointLoanFunderBooked")
        .withArgs(ids.quicklend, loan.loanRef, joint);
      expect(await exposure(credit, String(loan.borrowerKey))).to.deep.equal([1n, 1n, 5_000_000n, 0n, 0n]);
      // The claim is not a loan: the funder cannot move it.
      await expect(as("quicklend").fileLoanRepayment(loan.loanRef, 1n)).to.be.revertedWithCustomError(
        credit,
        "CreditLoanUnknown",
      );
    });

    it("item 11: a joint loan cannot name a funder that already booked the facility, nor a facility another joint loan claims", async function () {
      const { credit, as, ids } = await networkHelpers.loadFixture(worldFixture);
      const loan = fresh({ kind: productKind("JointLoan") });
      await as("quicklend").registerLoan({ ...loan, kind: productKind("SmeLoan") });
      await expect(as("huaxia").registerJointLoan(loan, funders(ids)))
        .to.be.revertedWithCustomError(credit, "CreditJointLoanFunderBooked")
        .withArgs(ids.quicklend, loan.loanRef, await credit.loanId(ids.quicklend, loan.loanRef));
      const other = fresh({ kind: productKind("JointLoan") });
      await as("huaxia").registerJointLoan(other, funders(ids));
      const byGolfo = [
        { member: ids.golfo, shareBps: 7_000 },
        { member: ids.quicklend, shareBps: 3_000 },
      ];
      await expect(as("golfo").registerJointLoan(other, byGolfo))
        .to.be.revertedWithCustomError(credit, "CreditJointLoanFunderBooked")
        .withArgs(ids.quicklend, other.loanRef, await credit.loanId(ids.huaxia, other.loanRef));
      expect(await exposure(credit, String(loan.borrowerKey))).to.deep.equal([1n, 1n, 5_000_000n, 0n, 0n]);
    });
  });

  describe("disputes", function () {
    async function registered() {
      const f = await networkHelpers.loadFixture(worldFixture);
      const loan = fresh();
      await f.as("huaxia").registerLoan(loan);
      const id = await f.credit.loanId(f.ids.huaxia, loan.loanRef);
      return { ...f, loan, id, borrower: String(loan.borrowerKey) };
    }
    const correction = (status: string, outstanding: bigint) => ({
      status: loanStatus(status),
      outstanding,
      commitment: hashOf("corrected record"),
    });

    it("test_dispute_openAnswerCorrectResolve", async function () {
      const { credit, as, ids, loan, id, borrower } = await registered();
      const regulator = as("regulator");
      await expect(regulator.openDispute(ids.huaxia, loan.loanRef, REASON))
        .to.emit(credit, "DisputeOpened")
        .withArgs(id, ids.regulator, borrower, REASON);
      expect((await credit.disputeOf(id)).openedBy).to.equal(ids.regulator);
      const answer = hashOf("statement of account");
      await expect(as("huaxia").answerDispute(loan.loanRef, answer))
        .to.emit(credit, "DisputeAnswered")
        .withArgs(id, ids.huaxia, borrower, answer);
      const ruling = reasonCode("RULING-2026-031");
      await expect(regulator.correctLoan(ids.huaxia, loan.loanRef, correction("Defaulted", 2_000_000n), ruling))
        .to.emit(credit, "LoanCorrected")
        .withArgs(id, ids.regulator, borrower, loanStatus("Defaulted"), 2_000_000n, hashOf("corrected record"), ruling);
      expect(await exposure(credit, borrower)).to.deep.equal([1n, 1n, 2_000_000n, 1n, 0n]);
      await regulator.correctLoan(ids.huaxia, loan.loanRef, correction("Repaid", 0n), ruling);
      expect(await exposure(credit, borrower)).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
      await expect(regulator.resolveDispute(ids.huaxia, loan.loanRef, ruling))
        .to.emit(credit, "DisputeResolved")
        .withArgs(id, ids.regulator, borrower, ruling);
      // A bank or the regulator finds every dispute event of a borrower by its key alone.
      const topics = [
        credit.filters.DisputeOpened(undefined, undefined, borrower),
        credit.filters.DisputeAnswered(undefined, undefined, borrower),
        credit.filters.LoanCorrected(undefined, undefined, borrower),
        credit.filters.DisputeResolved(undefined, undefined, borrower),
      ];
      const counts = await Promise.all(topics.map(async (f) => (await credit.queryFilter(f)).length));
      expect(counts).to.deep.equal([1, 1, 2, 1]);
      expect((await credit.disputeOf(id)).openedBy).to.equal(0n);
      await expect(regulator.correctLoan(ids.huaxia, loan.loanRef, correction("Active", 1n), ruling))
        .to.be.revertedWithCustomError(credit, "CreditDisputeNotOpen")
        .withArgs(id);
    });

    it("test_dispute_openedByAnotherLenderButNotByOthers", async function () {
      const { world, credit, as, ids, loan, id, members, outsider, borrower } = await registered();
      await expect(credit.connect(outsider).openDispute(ids.huaxia, loan.loanRef, REASON))
        .to.be.revertedWithCustomError(members, "MemberUnknownAccount")
        .withArgs(outsider.address);
      await expect(as("cristal").openDispute(ids.huaxia, loan.loanRef, REASON))
        .to.be.revertedWithCustomError(credit, "CreditDisputeUnauthorized")
        .withArgs(world.admins.cristal.address, ids.cristal);
      await expect(as("golfo").openDispute(ids.huaxia, loan.loanRef, REASON))
        .to.emit(credit, "DisputeOpened")
        .withArgs(id, ids.golfo, borrower, REASON);
      await expect(as("regulator").openDispute(ids.huaxia, loan.loanRef, REASON))
        .to.be.revertedWithCustomError(credit, "CreditDisputeAlreadyOpen")
        .withArgs(id);
      const unknown = loanRef("NO-SUCH-LOAN");
      await expect(as("golfo").openDispute(ids.huaxia, unknown, REASON))
        .to.be.revertedWithCustomError(credit, "CreditLoanUnknown")
        .withArgs(await credit.loanId(ids.huaxia, unknown));
    });

    it("test_dispute_onlyRegulatorCorrectsAndResolves", async function () {
      const { world, credit, as, ids, loan, id, borrower, members } = await registered();
      await as("regulator").openDispute(ids.huaxia, loan.loanRef, REASON);
      for (const who of ["huaxia", "golfo"]) {
        await expect(as(who).correctLoan(ids.huaxia, loan.loanRef, correction("Active", 1n), REASON))
          .to.be.revertedWithCustomError(members, "MemberMissingRole")
          .withArgs(world.admins[who].address, ids[who], roleIndex("Regulator"));
        await expect(as(who).resolveDispute(ids.huaxia, loan.loanRef, REASON))
          .to.be.revertedWithCustomError(members, "MemberMissingRole")
          .withArgs(world.admins[who].address, ids[who], roleIndex("Regulator"));
      }
      // Only the reporting lender answers: another lender's answer names its own (unknown) loan.
      await expect(as("golfo").answerDispute(loan.loanRef, REASON))
        .to.be.revertedWithCustomError(credit, "CreditLoanUnknown")
        .withArgs(await credit.loanId(ids.golfo, loan.loanRef));
      const bad: [string, bigint][] = [
        ["None", 0n],
        ["Active", 5_000_001n],
        ["Repaid", 1n],
        ["Active", 0n],
        ["Overdue", 0n],
      ];
      for (const [status, outstanding] of bad) {
        await expect(as("regulator").correctLoan(ids.huaxia, loan.loanRef, correction(status, outstanding), REASON))
          .to.be.revertedWithCustomError(credit, "CreditInvalidCorrection")
          .withArgs(id, loanStatus(status), outstanding);
      }
      expect(await exposure(credit, borrower)).to.deep.equal([1n, 1n, 5_000_000n, 0n, 0n]);
    });

    it("test_dispute_answerAndResolveNeedAnOpenDispute", async function () {
      const { credit, as, ids, loan, id } = await registered();
      await expect(as("huaxia").answerDispute(loan.loanRef, REASON))
        .to.be.revertedWithCustomError(credit, "CreditDisputeNotOpen")
        .withArgs(id);
      await expect(as("regulator").resolveDispute(ids.huaxia, loan.loanRef, REASON))
        .to.be.revertedWithCustomError(credit, "CreditDisputeNotOpen")
        .withArgs(id);
    });
  });

  describe("pause", function () {
    it("test_pause_stopsWritesUntilUnpaused", async function () {
      const { world, credit, as, outsider, module } = await networkHelpers.loadFixture(worldFixture);
      const loan = fresh();
      await as("huaxia").registerLoan(loan);
      // The modules' pause rule: the governor or an active Regulator; anyone else gets the member registry's reason.
      await expect(credit.connect(outsider).pause())
        .to.be.revertedWithCustomError(MEMBERS, "MemberUnknownAccount")
        .withArgs(outsider.address);
      await expect(as("huaxia").pause()).to.be.revertedWithCustomError(MEMBERS, "MemberMissingRole");
      const huaxiaConsent = await consentFor(as("huaxia"), loan.borrowerKey);
      await credit.pause();
      for (const send of [
        () => as("huaxia").registerLoan(fresh()),
        () => as("huaxia").registerLoans([fresh()]),
        () => as("huaxia").registerJointLoan(fresh({ kind: productKind("JointLoan") }), []),
        () => module.reportExposure(1n, 2n, loanRef("X"), 0, 1n, 1, 1, CONSENT),
        () => module.reportDefault(1n, 2n, loanRef("X"), 0, 1n, 1, CONSENT),
        () => module.closeExposure(loanRef("X"), 1),
        () => as("huaxia").fileLoanRepayment(loan.loanRef, 1n),
        () => as("huaxia").fileLoanRepayments([{ loanRef: loan.loanRef, amount: 1n }]),
        () => as("huaxia").fileLoanStatus(loan.loanRef, loanStatus("Overdue")),
        () => as("huaxia").inquire(loan.borrowerKey, PURPOSE, huaxiaConsent),
      ]) {
        await expect(send()).to.be.revertedWithCustomError(credit, "EnforcedPause");
      }
      await expect(credit.pause()).to.be.revertedWithCustomError(COLD, "EnforcedPause");
      // Nobody but the governor lifts the governor's pause, a Regulator included.
      await expect(credit.connect(outsider).unpause())
        .to.be.revertedWithCustomError(COLD, "PauseLiftUnauthorized")
        .withArgs(outsider.address);
      await expect(as("regulator").unpause())
        .to.be.revertedWithCustomError(COLD, "PauseLiftUnauthorized")
        .withArgs(world.admins.regulator.address);
      await credit.unpause();
      await expect(credit.unpause()).to.be.revertedWithCustomError(COLD, "ExpectedPause");
      await as("huaxia").fileLoanRepayment(loan.loanRef, 1n);
      expect((await credit.exposureOf(loan.borrowerKey)).outstanding).to.equal(4_999_999n);
    });

    it("test_pause_byARegulator_liftedByItOrTheGovernor", async function () {
      const { credit, as } = await networkHelpers.loadFixture(worldFixture);
      const regulator = as("regulator");
      await expect(regulator.pause()).to.emit(credit, "Paused");
      expect(await credit.paused()).to.equal(true);
      await expect(as("huaxia").registerLoan(fresh())).to.be.revertedWithCustomError(credit, "EnforcedPause");
      await expect(regulator.unpause()).to.emit(credit, "Unpaused");
      expect(await credit.paused()).to.equal(false);
      await regulator.pause();
      await credit.unpause();
      await as("huaxia").registerLoan(fresh());
    });
  });
});
