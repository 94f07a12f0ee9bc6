import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { network } from "hardhat";

import { signConfirmation } from "../../src/eip712.js";
import { jurisdictionCode, legalIdHash, reasonCode } from "../../src/encoding.js";
import { invoiceKey } from "../../src/keys.js";
import { roleIndex, roleMask } from "../../src/members.js";
import { ICreditModuleReports__factory } from "../../typechain-types/index.js";
import { daysBetween, discountedPrice, relayConfirmation, stateBitmap } from "../../src/scf.js";
import { addMonths } from "../../src/schedule.js";
import { ephemeralKey } from "../../scripts/lib/loans.js";
import { testEntityKey } from "../helpers/entity.js";
import { ledgerWorld } from "../helpers/ledger.js";
import { linkOperator } from "../helpers/operators.js";
import { allPendingReports } from "../helpers/reports.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const key = ephemeralKey();
const DAY = 86_400n;
const FACE = 100_000_000n; // 1,000,000.00 CNY
const LINE = 250_000_000n;
const REASON = reasonCode("COURT-ORDER-12");
const Family = {
  None: 0,
  Requested: 1,
  Confirmed: 2,
  Overdue: 3,
  Repaid: 4,
  Defaulted: 5,
  Rejected: 6,
  Lapsed: 7,
} as const;
const Piece = { None: 0, Held: 1, Financed: 2, Collected: 3 } as const;
const MemberStatus = { Suspended: 2 } as const;

const reports = ICreditModuleReports__factory.createInterface();
const ascii3 = (code: string): string => ethers.hexlify(ethers.toUtf8Bytes(code));
/** The credit registry reference of a piece's recourse exposure, and of the defaults `financier` declared on the
 * pieces it holds of family `root`. */
const loanRef = (id: bigint): string => ethers.toBeHex(id, 32);
const defaultRef = (root: bigint, financier: bigint | number): string =>
  ethers.toBeHex(root | (BigInt(financier) << 64n) | (1n << 255n), 32);

/** The invoice keys' debtor: the ledger does not derive them, so any entity key serves its tests. */
const DEBTOR_ENTITY = ethers.id("TLTESTDEBTOR00000001");
let invoices = 0;
const invoice = (): string => invoiceKey(key, DEBTOR_ENTITY, `INV-${++invoices}`, "2026-11-01");

async function fixture() {
  const ledger = await ledgerWorld(connection, "L");
  const { world } = ledger;
  const [outsider, otherCore] = world.outsiders;
  await world.contracts.members.admit(
    legalIdHash("TLOTHERCORE000000001"),
    testEntityKey(legalIdHash("TLOTHERCORE000000001")),
    jurisdictionCode("CN"),
    roleMask(["CoreEnterprise"]),
    otherCore,
  );
  return { ...ledger, outsider, otherCore };
}

describe("ReceivableLedger", function () {
  describe("credit lines", function () {
    it("test_setCreditLine_byTheFinancierTheDebtorChose", async function () {
      const { scf, members, a, ids, outsider, token } = await networkHelpers.loadFixture(fixture);
      expect((await scf.creditLineOf(ids.pearl, token)).limit).to.equal(LINE);
      await expect(scf.connect(a.huaxia).setCreditLine(ids.pearl, token, LINE * 2n))
        .to.emit(scf, "CreditLineSet")
        .withArgs(ids.pearl, ids.huaxia, token, LINE * 2n);
      await expect(scf.connect(a.pacific).setCreditLine(ids.pearl, token, 1n))
        .to.be.revertedWithCustomError(scf, "ScfCreditLineNotYours")
        .withArgs(ids.pearl, ids.pacific, ids.huaxia);
      await expect(scf.connect(outsider).setCreditLine(ids.pearl, token, 1n))
        .to.be.revertedWithCustomError(members, "MemberUnknownAccount")
        .withArgs(outsider.address);
      await expect(scf.connect(a.glassworks).setCreditLine(ids.pearl, token, LINE * 3n))
        .to.be.revertedWithCustomError(members, "MemberMissingRole")
        .withArgs(a.glassworks.address, ids.glassworks, roleIndex("Financier"));
      // A cut needs no role (review 36, L1), only the line: another member's is refused as not its own.
      await expect(scf.connect(a.glassworks).setCreditLine(ids.pearl, token, 1n))
        .to.be.revertedWithCustomError(scf, "ScfCreditLineNotYours")
        .withArgs(ids.pearl, ids.glassworks, ids.huaxia);
      await expect(scf.connect(a.pacific).setCreditLine(ids.glassworks, token, 1n))
        .to.be.revertedWithCustomError(scf, "ScfCreditLineNotYours")
        .withArgs(ids.glassworks, ids.pacific, 0n);
      await expect(scf.connect(a.pacific).freezeCreditLine(ids.pearl, token, true)).to.be.revertedWithCustomError(
        scf,
        "ScfCreditLineNotYours",
      );
      expect((await scf.creditLineOf(ids.pearl, token)).limit).to.equal(LINE * 2n);
    });

    it("test_confirm_revertsOverTheLineAndWhenFrozen", async function () {
      const { scf, a, ids, issue, token, maturity } = await networkHelpers.loadFixture(fixture);
      await issue(200_000_000n);
      const k = invoice();
      await expect(scf.connect(a.pearl).issue(a.glassworks, token, 60_000_000n, maturity, [k]))
        .to.be.revertedWithCustomError(scf, "ScfCreditLineExceeded")
        .withArgs(ids.pearl, 260_000_000n, LINE);
      expect(await scf.invoiceUse(ids.pearl, k)).to.equal(0n);
      await issue(50_000_000n);
      expect((await scf.creditLineOf(ids.pearl, token)).used).to.equal(LINE);
      await scf.connect(a.huaxia).setCreditLine(ids.pearl, token, 300_000_000n);
      await expect(scf.connect(a.huaxia).freezeCreditLine(ids.pearl, token, true))
        .to.emit(scf, "CreditLineFrozen")
        .withArgs(ids.pearl, token, true);
      await expect(scf.connect(a.pearl).issue(a.glassworks, token, 1n, maturity, [invoice()]))
        .to.be.revertedWithCustomError(scf, "ScfCreditLineFrozen")
        .withArgs(ids.pearl);
      await scf.connect(a.huaxia).freezeCreditLine(ids.pearl, token, false);
      await issue(1n);
    });
  });

  describe("issue and confirm", function () {
    it("test_issue_confirmsToTier1AndUsesTheLine", async function () {
      const { scf, a, ids, token, maturity } = await networkHelpers.loadFixture(fixture);
      const k = invoice();
      const root = 1n << 24n;
      await expect(scf.connect(a.pearl).issue(a.glassworks, token, FACE, maturity, [k]))
        .to.emit(scf, "InvoiceUsed")
        .withArgs(k, root)
        .and.to.emit(scf, "ReceivableConfirmed")
        .withArgs(root, ids.pearl, FACE);
      const p = await scf.getPiece(root);
      expect([p.holder, p.face, p.tier, p.state]).to.deep.equal([ids.glassworks, FACE, 1n, BigInt(Piece.Held)]);
      const f = await scf.getFamily(root);
      expect([f.debtor, f.token, f.maturity, f.face, f.state]).to.deep.equal([
        ids.pearl,
        token,
        maturity,
        FACE,
        BigInt(Family.Confirmed),
      ]);
      expect(await scf.invoiceUse(ids.pearl, k)).to.equal(root);
    });

    it("test_issue_revertsWhenTheInvoiceIsReused", async function () {
      const { scf, a, ids, token, maturity, issue } = await networkHelpers.loadFixture(fixture);
      const k = invoice();
      await scf.connect(a.pearl).issue(a.glassworks, token, FACE, maturity, [k]);
      const root = 1n << 24n;
      // Again, to another supplier, and through a supplier's request: refused, naming the key.
      await expect(scf.connect(a.pearl).issue(a.precision, token, 1n, maturity, [invoice(), k]))
        .to.be.revertedWithCustomError(scf, "ScfInvoiceAlreadyUsed")
        .withArgs(k, root);
      await expect(scf.connect(a.silica).request(ids.pearl, token, 1n, maturity, [k]))
        .to.be.revertedWithCustomError(scf, "ScfInvoiceAlreadyUsed")
        .withArgs(k, root);
      const fresh = invoice();
      // Twice in one list: the list is refused, naming the repeat (review 32, B2).
      await expect(scf.connect(a.pearl).issue(a.precision, token, 1n, maturity, [fresh, fresh]))
        .to.be.revertedWithCustomError(scf, "ScfInvoiceRepeated")
        .withArgs(fresh, 1n);
      expect(await scf.invoiceUse(ids.pearl, fresh)).to.equal(0n);
      await issue(1n);
    });

    it("test_issue_revertsOnBadInput", async function () {
      const { scf, members, a, ids, token, maturity, outsider } = await networkHelpers.loadFixture(fixture);
      const now = BigInt(await networkHelpers.time.latest());
      const issueAs = (over: { face?: bigint; maturity?: bigint; token?: string; keys?: string[]; to?: string }) =>
        scf
          .connect(a.pearl)
          .issue(
            over.to ?? a.glassworks.address,
            over.token ?? token,
            over.face ?? FACE,
            over.maturity ?? maturity,
            over.keys ?? [invoice()],
          );
      await expect(issueAs({ face: 0n })).to.be.revertedWithCustomError(scf, "ScfInvalidFace");
      await expect(issueAs({ maturity: now }))
        .to.be.revertedWithCustomError(scf, "ScfInvalidMaturity")
        .withArgs(now, now + 1n);
      await expect(issueAs({ token: outsider.address }))
        .to.be.revertedWithCustomError(scf, "ScfInvalidToken")
        .withArgs(outsider.address);
      await expect(issueAs({ keys: [] }))
        .to.be.revertedWithCustomError(scf, "ScfInvalidInvoiceCount")
        .withArgs(0);
      await expect(issueAs({ keys: Array.from({ length: 17 }, invoice) }))
        .to.be.revertedWithCustomError(scf, "ScfInvalidInvoiceCount")
        .withArgs(17);
      await expect(issueAs({ keys: [ethers.ZeroHash] }))
        .to.be.revertedWithCustomError(scf, "ScfZeroInvoiceKey")
        .withArgs(0);
      await expect(issueAs({ to: a.huaxia.address }))
        .to.be.revertedWithCustomError(scf, "ScfInvalidRecipient")
        .withArgs(a.huaxia.address);
      await expect(issueAs({ to: outsider.address }))
        .to.be.revertedWithCustomError(scf, "ScfInvalidRecipient")
        .withArgs(outsider.address);
      await expect(scf.connect(outsider).issue(a.glassworks, token, FACE, maturity, [invoice()]))
        .to.be.revertedWithCustomError(members, "MemberUnknownAccount")
        .withArgs(outsider.address);
      await expect(scf.connect(a.glassworks).issue(a.glassworks, token, FACE, maturity, [invoice()]))
        .to.be.revertedWithCustomError(members, "MemberMissingRole")
        .withArgs(a.glassworks.address, ids.glassworks, roleIndex("CoreEnterprise"));
      expect((await scf.creditLineOf(ids.pearl, token)).used).to.equal(0n);
    });

    it("test_requestThenConfirm_byTheDebtorOnly", async function () {
      const { scf, members, a, ids, token, maturity, otherCore, outsider } = await networkHelpers.loadFixture(fixture);
      const root = 1n << 24n;
      await expect(scf.connect(a.glassworks).request(ids.pearl, token, FACE, maturity, [invoice()]))
        .to.emit(scf, "ReceivableRequested")
        .withArgs(root, ids.pearl, ids.glassworks, token, FACE, maturity);
      expect((await scf.getPiece(root)).state).to.equal(BigInt(Piece.None));
      await expect(scf.connect(a.glassworks).split(root, [1n, FACE - 1n]))
        .to.be.revertedWithCustomError(scf, "ScfUnexpectedPieceState")
        .withArgs(root, Piece.None, stateBitmap([Piece.Held]));
      const otherId = await members.memberForKey(otherCore);
      await expect(scf.connect(otherCore).confirm(root))
        .to.be.revertedWithCustomError(scf, "ScfNotDebtor")
        .withArgs(ids.pearl, otherCore.address);
      await expect(scf.connect(outsider).confirm(root)).to.be.revertedWithCustomError(members, "MemberUnknownAccount");
      await expect(scf.connect(a.pearl).confirm(root))
        .to.emit(scf, "ReceivableConfirmed")
        .withArgs(root, ids.pearl, FACE)
        .and.not.to.emit(scf, "ConfirmationRelayed");
      await expect(scf.connect(a.pearl).confirm(root))
        .to.be.revertedWithCustomError(scf, "ScfUnexpectedFamilyState")
        .withArgs(root, Family.Confirmed, stateBitmap([Family.Requested]));
      await expect(scf.connect(a.pearl).confirm(root + 5n))
        .to.be.revertedWithCustomError(scf, "ScfUnknownReceivable")
        .withArgs(root + 5n);
      await expect(scf.connect(a.glassworks).request(otherId + 50n, token, FACE, maturity, [invoice()]))
        .to.be.revertedWithCustomError(scf, "MemberMissingRole")
        .withArgs(ethers.ZeroAddress, otherId + 50n, roleIndex("CoreEnterprise"));
      await expect(scf.connect(a.huaxia).request(ids.pearl, token, FACE, maturity, [invoice()]))
        .to.be.revertedWithCustomError(members, "MemberMissingRole")
        .withArgs(a.huaxia.address, ids.huaxia, roleIndex("Supplier"));
    });

    it("test_confirmWithSignature_relayedOnceBeforeItsDeadline", async function () {
      const { scf, a, ids, token, maturity, outsider, otherCore } = await networkHelpers.loadFixture(fixture);
      const root = 1n << 24n;
      await scf.connect(a.glassworks).request(ids.pearl, token, FACE, maturity, [invoice()]);
      const now = BigInt(await networkHelpers.time.latest());
      const expired = await signConfirmation(scf, a.pearl, root, now);
      await expect(relayConfirmation(scf.connect(outsider), root, expired))
        .to.be.revertedWithCustomError(scf, "ScfSignatureExpired")
        .withArgs(now);
      const bySupplier = await signConfirmation(scf, a.glassworks, root, now + 3_600n);
      await expect(relayConfirmation(scf.connect(outsider), root, bySupplier))
        .to.be.revertedWithCustomError(scf, "MemberMissingRole")
        .withArgs(a.glassworks.address, ids.glassworks, roleIndex("CoreEnterprise"));
      const byOtherCore = await signConfirmation(scf, otherCore, root, now + 3_600n);
      await expect(relayConfirmation(scf.connect(outsider), root, byOtherCore))
        .to.be.revertedWithCustomError(scf, "ScfNotDebtor")
        .withArgs(ids.pearl, otherCore.address);
      const ok = await signConfirmation(scf, a.pearl, root, now + 3_600n);
      await expect(relayConfirmation(scf.connect(outsider), root, ok))
        .to.emit(scf, "ReceivableConfirmed")
        .withArgs(root, ids.pearl, FACE)
        .and.to.emit(scf, "ConfirmationRelayed")
        .withArgs(root, a.pearl.address, ok.nonce);
      // The same signature again: its nonce is spent.
      await expect(relayConfirmation(scf.connect(outsider), root, ok))
        .to.be.revertedWithCustomError(scf, "ScfNonceUsed")
        .withArgs(a.pearl.address, ok.nonce);
    });
  });

  describe("split and transfer", function () {
    it("test_split_keepsTheFirstPartAndConservesFace", async function () {
      const { scf, a, ids, issue } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      await expect(scf.connect(a.glassworks).split(root, [50_000_000n, 30_000_000n, 20_000_000n]))
        .to.emit(scf, "ReceivableSplit")
        .withArgs(root, ids.glassworks, root, root + 1n, [50_000_000n, 30_000_000n, 20_000_000n]);
      const faces = await Promise.all([root, root + 1n, root + 2n].map(async (id) => (await scf.getPiece(id)).face));
      expect(faces).to.deep.equal([50_000_000n, 30_000_000n, 20_000_000n]);
      expect((await scf.getPiece(root + 2n)).tier).to.equal(1n);
      expect((await scf.getFamily(root)).pieces).to.equal(3n);
      // A piece split from a piece names its family's root and its holder, both topics.
      await expect(scf.connect(a.glassworks).split(root + 1n, [10_000_000n, 20_000_000n]))
        .to.emit(scf, "ReceivableSplit")
        .withArgs(root + 1n, ids.glassworks, root, root + 3n, [10_000_000n, 20_000_000n]);
      expect((await scf.getPiece(root + 3n)).face).to.equal(20_000_000n);
      const byFamily = await scf.queryFilter(scf.filters.ReceivableSplit(undefined, ids.glassworks, root));
      expect(byFamily.map((l) => l.args.parent)).to.deep.equal([root, root + 1n]);
    });

    it("test_split_revertsOnBadFacesOrWrongHolder", async function () {
      const { scf, a, issue } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      // One cause per error: the number of parts, a zero part, and parts that do not sum to the face.
      for (const faces of [[FACE], Array.from({ length: 17 }, () => 1n)]) {
        await expect(scf.connect(a.glassworks).split(root, faces))
          .to.be.revertedWithCustomError(scf, "ScfInvalidSplitCount")
          .withArgs(root, faces.length);
      }
      await expect(scf.connect(a.glassworks).split(root, [FACE, 0n]))
        .to.be.revertedWithCustomError(scf, "ScfZeroSplitFace")
        .withArgs(root, 1);
      await expect(scf.connect(a.glassworks).split(root, [FACE - 1n, 2n]))
        .to.be.revertedWithCustomError(scf, "ScfSplitFaceMismatch")
        .withArgs(root, FACE + 1n, FACE);
      await expect(scf.connect(a.precision).split(root, [1n, FACE - 1n]))
        .to.be.revertedWithCustomError(scf, "ScfNotHolder")
        .withArgs(root, a.precision.address);
      await expect(scf.connect(a.glassworks).split(root + 1n, [1n, 1n]))
        .to.be.revertedWithCustomError(scf, "ScfUnknownReceivable")
        .withArgs(root + 1n);
      expect((await scf.getFamily(root)).pieces).to.equal(1n);
    });

    it("test_transfer_toASupplierOneTierDown", async function () {
      const { scf, a, ids, issue } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      await expect(scf.connect(a.glassworks).transfer(root, a.precision))
        .to.emit(scf, "ReceivableTransferred")
        .withArgs(root, ids.glassworks, ids.precision, 2);
      await scf.connect(a.precision).transfer(root, a.silica);
      const p = await scf.getPiece(root);
      expect([p.holder, p.tier]).to.deep.equal([ids.silica, 3n]);
    });

    it("test_transfer_revertsToANonMemberOrNonSupplier", async function () {
      const { scf, members, a, ids, issue, outsider } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      for (const to of [outsider.address, a.huaxia.address, a.pearl.address]) {
        await expect(scf.connect(a.glassworks).transfer(root, to))
          .to.be.revertedWithCustomError(scf, "ScfInvalidRecipient")
          .withArgs(to);
      }
      await expect(scf.connect(outsider).transfer(root, a.precision))
        .to.be.revertedWithCustomError(members, "MemberUnknownAccount")
        .withArgs(outsider.address);
      await expect(scf.connect(a.precision).transfer(root, a.precision))
        .to.be.revertedWithCustomError(scf, "ScfNotHolder")
        .withArgs(root, a.precision.address);
      expect((await scf.getPiece(root)).holder).to.equal(ids.glassworks);
    });

    it("test_splitTo_splitsAndHandsPartsOnInOneTransaction", async function () {
      const { scf, a, ids, issue } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      const faces = [50_000_000n, 30_000_000n, 20_000_000n];
      // Part 1 goes to tier 2; part 0 stays (address(0)) and so does part 2 (an operator of the holder itself).
      const tx = scf.connect(a.glassworks).splitTo(root, faces, [ethers.ZeroAddress, a.precision, a.glassworks]);
      await expect(tx)
        .to.emit(scf, "ReceivableSplit")
        .withArgs(root, ids.glassworks, root, root + 1n, faces)
        .and.to.emit(scf, "ReceivableTransferred")
        .withArgs(root + 1n, ids.glassworks, ids.precision, 2);
      const receipt = await (await tx).wait();
      const names = receipt!.logs.map((l) => scf.interface.parseLog(l)?.name);
      // The read model applies the split, then the hand-over: one transfer, for the part handed on only.
      expect(names).to.deep.equal(["ReceivableSplit", "ReceivableTransferred"]);
      const pieces = await Promise.all([root, root + 1n, root + 2n].map((id) => scf.getPiece(id)));
      expect(pieces.map((p) => [p.holder, p.face, p.tier, p.state])).to.deep.equal([
        [ids.glassworks, faces[0], 1n, BigInt(Piece.Held)],
        [ids.precision, faces[1], 2n, BigInt(Piece.Held)],
        [ids.glassworks, faces[2], 1n, BigInt(Piece.Held)],
      ]);
      // Face is conserved: the parts sum to the piece split.
      expect(pieces.reduce((sum, p) => sum + p.face, 0n)).to.equal(FACE);
      expect((await scf.getFamily(root)).pieces).to.equal(3n);
      // Part 0 is the piece itself: handing it on moves the split piece's id.
      await expect(
        scf.connect(a.precision).splitTo(root + 1n, [10_000_000n, 20_000_000n], [a.silica, ethers.ZeroAddress]),
      )
        .to.emit(scf, "ReceivableTransferred")
        .withArgs(root + 1n, ids.precision, ids.silica, 3);
      const [moved, kept] = await Promise.all([scf.getPiece(root + 1n), scf.getPiece(root + 3n)]);
      expect([moved.holder, moved.face, moved.tier]).to.deep.equal([ids.silica, 10_000_000n, 3n]);
      expect([kept.holder, kept.face, kept.tier]).to.deep.equal([ids.precision, 20_000_000n, 2n]);
    });

    it("test_splitTo_refusesAsTransferAndSplitDo", async function () {
      const { scf, members, a, ids, issue, outsider } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      const faces = [60_000_000n, 40_000_000n];
      await expect(scf.connect(a.glassworks).splitTo(root, faces, [a.precision]))
        .to.be.revertedWithCustomError(scf, "ScfSplitRecipientsMismatch")
        .withArgs(root, 2, 1);
      // Each recipient must be an operator of an active Supplier member, as `transfer` requires.
      for (const to of [outsider.address, a.huaxia.address, a.pearl.address]) {
        await expect(scf.connect(a.glassworks).splitTo(root, faces, [ethers.ZeroAddress, to]))
          .to.be.revertedWithCustomError(scf, "ScfInvalidRecipient")
          .withArgs(to);
      }
      await members.suspend(ids.precision, REASON);
      await expect(scf.connect(a.glassworks).splitTo(root, faces, [ethers.ZeroAddress, a.precision]))
        .to.be.revertedWithCustomError(scf, "ScfInvalidRecipient")
        .withArgs(a.precision.address);
      await members.reinstate(ids.precision, REASON);
      await expect(scf.connect(a.precision).splitTo(root, faces, [ethers.ZeroAddress, a.precision]))
        .to.be.revertedWithCustomError(scf, "ScfNotHolder")
        .withArgs(root, a.precision.address);
      await expect(scf.connect(a.glassworks).splitTo(root, [FACE - 1n, 2n], [ethers.ZeroAddress, a.precision]))
        .to.be.revertedWithCustomError(scf, "ScfSplitFaceMismatch")
        .withArgs(root, FACE + 1n, FACE);
      await expect(scf.connect(a.glassworks).splitTo(root, [FACE], [a.precision]))
        .to.be.revertedWithCustomError(scf, "ScfInvalidSplitCount")
        .withArgs(root, 1);
      // Nothing moved.
      const p = await scf.getPiece(root);
      expect([p.holder, p.face, p.tier]).to.deep.equal([ids.glassworks, FACE, 1n]);
      expect((await scf.getFamily(root)).pieces).to.equal(1n);
    });

    it("test_transfer_revertsAfterMaturityWhileFinancedFrozenOrEncumbered", async function () {
      const { scf, members, a, ids, issue, quote, maturity, world } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      await scf.connect(a.glassworks).split(root, [25_000_000n, 25_000_000n, 25_000_000n, 25_000_000n]);
      const { q, sig } = await quote(root);
      await scf.connect(a.glassworks).finance(q, sig);
      await expect(scf.connect(a.pacific).transfer(root, a.precision))
        .to.be.revertedWithCustomError(scf, "ScfUnexpectedPieceState")
        .withArgs(root, Piece.Financed, stateBitmap([Piece.Held]));
      await scf.connect(a.regulator).freeze(root + 1n, true, REASON);
      await expect(scf.connect(a.glassworks).transfer(root + 1n, a.precision))
        .to.be.revertedWithCustomError(scf, "ScfFrozen")
        .withArgs(root + 1n);
      await expect(scf.connect(a.glassworks).encumber(root + 2n, ids.huaxia))
        .to.emit(scf, "ReceivableEncumbered")
        .withArgs(root + 2n, ids.huaxia, true);
      await expect(scf.connect(a.glassworks).transfer(root + 2n, a.precision))
        .to.be.revertedWithCustomError(scf, "ScfEncumbered")
        .withArgs(root + 2n);
      await members.suspend(ids.glassworks, REASON);
      await expect(scf.connect(a.glassworks).transfer(root + 3n, a.precision))
        .to.be.revertedWithCustomError(members, "MemberNotActive")
        .withArgs(a.glassworks.address, ids.glassworks, MemberStatus.Suspended);
      await members.reinstate(ids.glassworks, REASON);
      await networkHelpers.time.increaseTo(maturity);
      await expect(scf.connect(a.glassworks).transfer(root + 3n, a.precision))
        .to.be.revertedWithCustomError(scf, "ScfMatured")
        .withArgs(root + 3n, maturity);
      await expect(scf.connect(a.glassworks).split(root + 3n, [1n, 25_000_000n - 1n]))
        .to.be.revertedWithCustomError(scf, "ScfMatured")
        .withArgs(root + 3n, maturity);
      expect((await scf.getPiece(root + 3n)).holder).to.equal(world.ids.glassworks);
    });

    it("test_encumber_releaseByThePledgeeOnly", async function () {
      const { scf, members, a, ids, issue } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      await expect(scf.connect(a.glassworks).encumber(root, ids.glassworks))
        .to.be.revertedWithCustomError(members, "MemberMissingRole")
        .withArgs(a.glassworks.address, ids.glassworks, roleIndex("Financier"));
      await scf.connect(a.glassworks).encumber(root, ids.huaxia);
      expect((await scf.getPiece(root)).encumbered).to.equal(true);
      await expect(scf.connect(a.pacific).release(root))
        .to.be.revertedWithCustomError(scf, "ScfNotPledgee")
        .withArgs(root, a.pacific.address, ids.huaxia);
      await expect(scf.connect(a.huaxia).release(root))
        .to.emit(scf, "ReceivableEncumbered")
        .withArgs(root, ids.huaxia, false);
      await expect(scf.connect(a.huaxia).release(root))
        .to.be.revertedWithCustomError(scf, "ScfNotEncumbered")
        .withArgs(root);
      await scf.connect(a.glassworks).transfer(root, a.precision);
    });
  });

  describe("discounting", function () {
    it("test_finance_paysTheDiscountedPriceInTheSameTransaction", async function () {
      const { scf, cny, a, ids, issue, quote, maturity } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      const { q, sig } = await quote(root, { rateBps: 730, dayBase: 365 });
      const now = BigInt(await networkHelpers.time.latest()) + 1n; // the next block's time
      await networkHelpers.time.setNextBlockTimestamp(now);
      const price = discountedPrice(FACE, 730n, daysBetween(now, maturity), 365n);
      expect(price).to.equal(FACE - (FACE * 730n * 90n) / (10_000n * 365n)); // 90 days, exact here
      const tx = scf.connect(a.glassworks).finance(q, sig);
      await expect(tx)
        .to.emit(scf, "ReceivableFinanced")
        .withArgs(root, ids.glassworks, ids.pacific, price, 730, 365, false, a.pacific.address, q.nonce);
      await expect(tx).to.changeTokenBalances(ethers, cny, [a.glassworks, a.pacific], [price, -price]);
      const p = await scf.getPiece(root);
      expect([p.holder, p.state]).to.deep.equal([ids.pacific, BigInt(Piece.Financed)]);
      expect(await scf.nonceUsed(a.pacific.address, q.nonce)).to.equal(true);
    });

    it("test_finance_revertsWhenFinancedTwiceAtAnyBank", async function () {
      const { scf, a, issue, quote } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      const first = await quote(root);
      await scf.connect(a.glassworks).finance(first.q, first.sig);
      const second = await quote(root, {}, a.huaxia);
      await expect(scf.connect(a.glassworks).finance(second.q, second.sig))
        .to.be.revertedWithCustomError(scf, "ScfUnexpectedPieceState")
        .withArgs(root, Piece.Financed, stateBitmap([Piece.Held]));
      await expect(scf.connect(a.pacific).finance(second.q, second.sig))
        .to.be.revertedWithCustomError(scf, "ScfUnexpectedPieceState")
        .withArgs(root, Piece.Financed, stateBitmap([Piece.Held]));
      await expect(scf.connect(a.pacific).split(root, [1n, FACE - 1n]))
        .to.be.revertedWithCustomError(scf, "ScfUnexpectedPieceState")
        .withArgs(root, Piece.Financed, stateBitmap([Piece.Held]));
    });

    it("test_finance_revertsOnExpiredReplayedOrForeignQuotes", async function () {
      const { scf, members, a, ids, issue, quote, maturity } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      await scf.connect(a.glassworks).split(root, [50_000_000n, 50_000_000n]);
      const now = BigInt(await networkHelpers.time.latest());
      const expired = await quote(root, { expiry: now });
      await expect(scf.connect(a.glassworks).finance(expired.q, expired.sig))
        .to.be.revertedWithCustomError(scf, "ScfQuoteExpired")
        .withArgs(now);
      const used = await quote(root);
      await scf.connect(a.glassworks).finance(used.q, used.sig);
      // A quote with the same nonce for the other piece (a replay of the nonce) is refused.
      const replay = await quote(root + 1n, { nonce: used.q.nonce });
      await expect(scf.connect(a.glassworks).finance(replay.q, replay.sig))
        .to.be.revertedWithCustomError(scf, "ScfNonceUsed")
        .withArgs(a.pacific.address, used.q.nonce);
      const cancelled = await quote(root + 1n);
      await expect(scf.connect(a.pacific).cancelNonce(cancelled.q.nonce))
        .to.emit(scf, "NonceCancelled")
        .withArgs(a.pacific.address, cancelled.q.nonce);
      await expect(scf.connect(a.glassworks).finance(cancelled.q, cancelled.sig))
        .to.be.revertedWithCustomError(scf, "ScfNonceUsed")
        .withArgs(a.pacific.address, cancelled.q.nonce);
      const bySupplier = await quote(root + 1n, {}, a.precision);
      await expect(scf.connect(a.glassworks).finance(bySupplier.q, bySupplier.sig))
        .to.be.revertedWithCustomError(members, "MemberMissingRole")
        .withArgs(a.precision.address, ids.precision, roleIndex("Financier"));
      const badBase = await quote(root + 1n, { dayBase: 364 as 360 });
      await expect(scf.connect(a.glassworks).finance(badBase.q, badBase.sig))
        .to.be.revertedWithCustomError(scf, "ScfInvalidDayBase")
        .withArgs(364);
      const usurious = await quote(root + 1n, { rateBps: 65_535 });
      const at = BigInt(await networkHelpers.time.latest()) + 1n;
      await networkHelpers.time.setNextBlockTimestamp(at);
      await expect(scf.connect(a.glassworks).finance(usurious.q, usurious.sig))
        .to.be.revertedWithCustomError(scf, "ScfQuoteLeavesNoPrice")
        .withArgs(65_535, daysBetween(at, maturity), 360);
      const forOther = await quote(root + 1n, { recourse: true, seller: ids.precision });
      await expect(scf.connect(a.glassworks).finance(forOther.q, forOther.sig))
        .to.be.revertedWithCustomError(scf, "ScfQuoteSellerMismatch")
        .withArgs(root + 1n, ids.precision, ids.glassworks);
      const tampered = await quote(root + 1n);
      await expect(
        scf.connect(a.glassworks).finance({ ...tampered.q, rateBps: 1 }, tampered.sig),
      ).to.be.revertedWithCustomError(members, "MemberUnknownAccount");
      await expect(scf.connect(a.pacific).cancelNonce(cancelled.q.nonce)).to.be.revertedWithCustomError(
        scf,
        "ScfNonceUsed",
      );
      // Another key's cancel spends its own nonce, never the financier's.
      const fresh = await quote(root + 1n, { nonce: 777_777n });
      await expect(scf.connect(a.glassworks).cancelNonce(777_777n))
        .to.emit(scf, "NonceCancelled")
        .withArgs(a.glassworks.address, 777_777n);
      expect((await scf.getPiece(root + 1n)).state).to.equal(BigInt(Piece.Held));
      await expect(scf.connect(a.glassworks).finance(fresh.q, fresh.sig)).to.emit(scf, "ReceivableFinanced");
    });
  });

  describe("maturity", function () {
    it("test_repayThenCollect_paysEveryHolderItsFaceOnce", async function () {
      const { scf, cny, a, ids, issue, quote, maturity, outsider, token } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      await scf.connect(a.glassworks).split(root, [60_000_000n, 40_000_000n]);
      await scf.connect(a.glassworks).transfer(root + 1n, a.precision);
      const { q, sig } = await quote(root + 1n);
      await scf.connect(a.precision).finance(q, sig);
      await expect(scf.collect(root))
        .to.be.revertedWithCustomError(scf, "ScfUnexpectedFamilyState")
        .withArgs(root, Family.Confirmed, stateBitmap([Family.Repaid]));
      await networkHelpers.time.increaseTo(maturity);
      const ledger = await scf.getAddress();
      await expect(scf.connect(a.pearl).repay(root)).to.changeTokenBalances(
        ethers,
        cny,
        [a.pearl.address, ledger],
        [-FACE, FACE],
      );
      expect((await scf.creditLineOf(ids.pearl, token)).used).to.equal(0n);
      await expect(scf.connect(a.pearl).repay(root))
        .to.be.revertedWithCustomError(scf, "ScfUnexpectedFamilyState")
        .withArgs(root, Family.Repaid, stateBitmap([Family.Confirmed, Family.Overdue, Family.Defaulted]));
      await expect(scf.connect(outsider).collect(root)).to.changeTokenBalance(ethers, cny, a.glassworks, 60_000_000n);
      await expect(scf.connect(outsider).collect(root + 1n))
        .to.emit(scf, "ReceivableCollected")
        .withArgs(root + 1n, ids.pacific, 40_000_000n, true);
      await expect(scf.collect(root))
        .to.be.revertedWithCustomError(scf, "ScfUnexpectedPieceState")
        .withArgs(root, Piece.Collected, stateBitmap([Piece.Held, Piece.Financed]));
      expect(await cny.balanceOf(ledger)).to.equal(0n);
    });

    it("test_overdue_markedByAnyoneAfterGraceThenPaidWithPenalty", async function () {
      const { scf, cny, a, ids, issue, maturity, outsider } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      await scf.connect(a.glassworks).split(root, [70_000_000n, 30_000_000n]);
      const dueAt = maturity + 7n * DAY;
      await networkHelpers.time.setNextBlockTimestamp(dueAt);
      await expect(scf.connect(outsider).markOverdue(root))
        .to.be.revertedWithCustomError(scf, "ScfNotOverdue")
        .withArgs(root, dueAt);
      await networkHelpers.time.increaseTo(maturity + 10n * DAY);
      await expect(scf.connect(outsider).markOverdue(root)).to.emit(scf, "FamilyOverdue").withArgs(root, ids.pearl);
      await expect(scf.connect(outsider).markOverdue(root))
        .to.be.revertedWithCustomError(scf, "ScfUnexpectedFamilyState")
        .withArgs(root, Family.Overdue, stateBitmap([Family.Confirmed]));
      const at = maturity + 10n * DAY + 100n;
      await networkHelpers.time.setNextBlockTimestamp(at);
      const penalty = (FACE * 1_800n * 10n + 10_000n * 365n - 1n) / (10_000n * 365n); // 10 completed days at 18%
      await expect(scf.connect(a.pearl).repay(root))
        .to.emit(scf, "FamilyRepaid")
        .withArgs(root, ids.pearl, FACE + penalty, penalty);
      // Pro rata, rounded down; the last piece collected takes the remainder, so nothing stays in the ledger.
      const share0 = 70_000_000n + (70_000_000n * penalty) / FACE;
      const share1 = FACE + penalty - share0;
      expect(share1 - (30_000_000n + (30_000_000n * penalty) / FACE)).to.be.lessThan(2n);
      await expect(scf.collect(root)).to.changeTokenBalance(ethers, cny, a.glassworks, share0);
      await expect(scf.collect(root + 1n)).to.changeTokenBalance(ethers, cny, a.glassworks, share1);
      expect(await cny.balanceOf(await scf.getAddress())).to.equal(0n);
    });
  });

  describe("edges", function () {
    it("test_confirm_revertsAfterMaturity", async function () {
      const { scf, a, ids, token } = await networkHelpers.loadFixture(fixture);
      const soon = BigInt(await networkHelpers.time.latest()) + DAY;
      await scf.connect(a.glassworks).request(ids.pearl, token, FACE, soon, [invoice()]);
      await networkHelpers.time.increaseTo(soon);
      await expect(scf.connect(a.pearl).confirm(1n << 24n))
        .to.be.revertedWithCustomError(scf, "ScfMatured")
        .withArgs(1n << 24n, soon);
    });

    it("test_split_revertsOnceTheFamilyIsRepaidEarly", async function () {
      const { scf, cny, a, issue } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      await scf.connect(a.pearl).repay(root);
      await expect(scf.connect(a.glassworks).split(root, [1n, FACE - 1n]))
        .to.be.revertedWithCustomError(scf, "ScfUnexpectedFamilyState")
        .withArgs(root, Family.Repaid, stateBitmap([Family.Confirmed]));
      await expect(scf.collect(root)).to.changeTokenBalance(ethers, cny, a.glassworks, FACE);
    });
  });

  describe("control", function () {
    it("test_freeze_byRegulatorOnly", async function () {
      const { scf, members, a, ids, issue, maturity } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      await expect(scf.connect(a.huaxia).freeze(root, true, REASON))
        .to.be.revertedWithCustomError(members, "MemberMissingRole")
        .withArgs(a.huaxia.address, ids.huaxia, roleIndex("Regulator"));
      await expect(scf.connect(a.regulator).freeze(root + 9n, true, REASON))
        .to.be.revertedWithCustomError(scf, "ScfUnknownReceivable")
        .withArgs(root + 9n);
      await expect(scf.connect(a.regulator).freeze(root, true, REASON))
        .to.emit(scf, "ReceivableFrozen")
        .withArgs(root, true, REASON);
      expect((await scf.getPiece(root)).frozen).to.equal(true);
      await networkHelpers.time.increaseTo(maturity);
      await scf.connect(a.pearl).repay(root);
      await expect(scf.collect(root)).to.be.revertedWithCustomError(scf, "ScfFrozen").withArgs(root);
      await scf.connect(a.regulator).freeze(root, false, REASON);
      await scf.collect(root);
    });

    it("test_pauseByGovernorOrRegulatorAndTermsByGovernor", async function () {
      const { scf, members, a, ids, issue, quote, outsider, token, maturity } =
        await networkHelpers.loadFixture(fixture);
      const root = await issue();
      await expect(scf.connect(outsider).setTerms(1, 1))
        .to.be.revertedWithCustomError(scf, "GovernorUnauthorizedAccount")
        .withArgs(outsider.address);
      await expect(scf.connect(outsider).pause())
        .to.be.revertedWithCustomError(members, "MemberUnknownAccount")
        .withArgs(outsider.address);
      await expect(scf.connect(a.huaxia).pause())
        .to.be.revertedWithCustomError(members, "MemberMissingRole")
        .withArgs(a.huaxia.address, ids.huaxia, roleIndex("Regulator"));
      await expect(scf.setTerms(86_400, 10_001)).to.be.revertedWithCustomError(scf, "ScfInvalidTerms").withArgs(10_001);
      await expect(scf.setTerms(86_400, 2_000)).to.emit(scf, "TermsUpdated").withArgs(86_400, 2_000);
      await scf.connect(a.regulator).pause();
      const { q, sig } = await quote(root);
      for (const send of [
        () => scf.connect(a.pearl).issue(a.glassworks, token, 1n, maturity, [invoice()]),
        () => scf.connect(a.glassworks).split(root, [1n, FACE - 1n]),
        () => scf.connect(a.glassworks).transfer(root, a.precision),
        () => scf.connect(a.glassworks).finance(q, sig),
      ]) {
        await expect(send()).to.be.revertedWithCustomError(scf, "EnforcedPause");
      }
      await expect(scf.connect(outsider).unpause()).to.be.revertedWithCustomError(members, "MemberUnknownAccount");
      await scf.unpause();
      await scf.connect(a.regulator).pause();
      await scf.connect(a.regulator).unpause();
      await scf.connect(a.glassworks).split(root, [1n, FACE - 1n]);
    });
  });

  describe("issue 10", function () {
    it("item 1: a refused credit report never blocks collection; it is queued for a retry", async function () {
      const { scf, credit, members, cny, a, ids, issue, quote, maturity } = await networkHelpers.loadFixture(fixture);
      const module = await members.memberForKey(await scf.getAddress());
      const root = await issue();
      const { q, sig } = await quote(root, { recourse: true });
      // The ledger is a listed reporter module: the exposure reaches the registry in the financing transaction.
      await expect(scf.connect(a.glassworks).finance(q, sig)).not.to.emit(scf, "CreditReportDeferred");
      const id = await credit.loanId(module, loanRef(root));
      expect((await credit.getLoan(id)).status).to.equal(1n); // Active
      // A paused registry does not stop the payout: the close is queued instead.
      await credit.pause();
      await networkHelpers.time.increaseTo(maturity);
      await scf.connect(a.pearl).repay(root);
      const tx = scf.collect(root);
      await expect(tx).to.changeTokenBalance(ethers, cny, a.pacific, FACE);
      await expect(tx).to.emit(scf, "ReceivableCollected").withArgs(root, ids.pacific, FACE, true);
      await expect(tx).to.emit(scf, "CreditReportDeferred");
      const pending = await allPendingReports(scf, loanRef(root));
      expect(pending.map((d) => reports.parseTransaction({ data: d })!.name)).to.deep.equal(["closeExposure"]);
      await expect(scf.retryCreditReports(loanRef(root), 10)).to.be.revertedWithCustomError(
        scf,
        "CreditReportStillFailing",
      );
      // Once the registry resumes, anyone delivers it.
      await credit.unpause();
      await expect(scf.connect(a.precision).retryCreditReports(loanRef(root), 10))
        .to.emit(scf, "CreditReportDelivered")
        .withArgs(loanRef(root), 0);
      expect((await credit.getLoan(id)).status).to.equal(2n); // Repaid
      expect(await allPendingReports(scf, loanRef(root))).to.deep.equal([]);
    });

    it("item 2: payouts follow the member: a rotated key, a suspended and a revoked member never strand money", async function () {
      const { world, scf, members, cny, a, ids, issue, maturity, token } = await networkHelpers.loadFixture(fixture);
      const [op] = world.outsiders.slice(2);
      const root = await issue();
      // The member's current operators move its pieces; a key it removed no longer can.
      await linkOperator(connection, members, a.glassworks, ids.glassworks, op);
      await scf.connect(op).split(root, [30_000_000n, 30_000_000n, 40_000_000n]);
      await scf.connect(op).transfer(root + 1n, a.silica);
      await members.connect(a.glassworks).removeOperator(ids.glassworks, op.address);
      await expect(scf.connect(op).transfer(root + 2n, a.precision)).to.be.revertedWithCustomError(
        members,
        "MemberUnknownAccount",
      );
      await scf.connect(a.glassworks).transfer(root + 2n, a.precision);
      await linkOperator(connection, members, a.glassworks, ids.glassworks, op);
      await members.connect(a.glassworks).setPayoutAccount(ids.glassworks, op.address);
      await networkHelpers.time.increaseTo(maturity);
      await scf.connect(a.pearl).repay(root);
      // Paid at the member's payout account as it is now, not at the key that held the piece.
      await expect(scf.collect(root)).to.changeTokenBalance(ethers, cny, op, 30_000_000n);
      // A suspended member's share is parked, then claimed once it is reinstated.
      await members.suspend(ids.precision, REASON);
      await expect(scf.collect(root + 2n))
        .to.emit(scf, "PaymentParked")
        .withArgs(ids.precision, token, 40_000_000n)
        .and.to.emit(scf, "ReceivableCollected")
        .withArgs(root + 2n, ids.precision, 40_000_000n, false);
      expect(await scf.owedTo(ids.precision, token)).to.equal(40_000_000n);
      await members.reinstate(ids.precision, REASON);
      await expect(scf.claimOwed(ids.precision, token)).to.changeTokenBalance(ethers, cny, a.precision, 40_000_000n);
      // A revoked member's share goes where the governor sends it, with an event.
      await members.revoke(ids.silica, REASON);
      await scf.collect(root + 1n);
      await expect(scf.redirectOwed(ids.silica, token, a.huaxia.address, REASON))
        .to.emit(scf, "OwedRedirected")
        .withArgs(ids.silica, token, a.huaxia.address, 30_000_000n, REASON);
      expect(await cny.balanceOf(await scf.getAddress())).to.equal(0n);
      expect(await scf.totalOwed(token)).to.equal(0n);
    });

    it("item 3: a default leaves the payment path open and every holder is paid", async function () {
      const { scf, credit, members, cny, a, ids, issue, quote, maturity, token } =
        await networkHelpers.loadFixture(fixture);
      const root = await issue();
      await scf.connect(a.glassworks).split(root, [FACE - 1n, 1n]);
      const big = await quote(root, {}, a.huaxia);
      await scf.connect(a.glassworks).finance(big.q, big.sig);
      const small = await quote(root + 1n, { rateBps: 0 });
      await scf.connect(a.glassworks).finance(small.q, small.sig);
      await expect(scf.connect(a.pacific).declareDefault(root + 1n))
        .to.be.revertedWithCustomError(scf, "ScfNotOverdue")
        .withArgs(root, maturity + 7n * DAY);
      await networkHelpers.time.increaseTo(maturity + 8n * DAY);
      // Each financier declares its own piece only: the one-unit holder cannot speak for the family.
      await expect(scf.connect(a.pacific).declareDefault(root))
        .to.be.revertedWithCustomError(scf, "ScfNotFinancier")
        .withArgs(root, a.pacific.address);
      await expect(scf.connect(a.pacific).declareDefault(root + 1n))
        .to.emit(scf, "PieceDefaulted")
        .withArgs(root + 1n, ids.pacific, 1n);
      const module = await members.memberForKey(await scf.getAddress());
      const defaultId = await credit.loanId(module, defaultRef(root, ids.pacific));
      expect((await credit.getLoan(defaultId)).status).to.equal(4n); // Defaulted
      await expect(scf.connect(a.pacific).declareDefault(root + 1n))
        .to.be.revertedWithCustomError(scf, "ScfAlreadyDefaulted")
        .withArgs(root + 1n);
      expect((await scf.getFamily(root)).state).to.equal(BigInt(Family.Defaulted));
      // The debtor still pays; its line is released; both holders collect; the default report is closed.
      const [due] = await scf.amountDue(root);
      await expect(scf.connect(a.pearl).repay(root)).to.emit(scf, "FamilyRepaid");
      expect((await scf.creditLineOf(ids.pearl, token)).used).to.equal(0n);
      await expect(scf.collect(root)).to.changeTokenBalance(
        ethers,
        cny,
        a.huaxia,
        FACE - 1n + ((FACE - 1n) * (due - FACE)) / FACE,
      );
      // The last piece collected takes the remainder of the penalty shares.
      const first = FACE - 1n + ((FACE - 1n) * (due - FACE)) / FACE;
      await expect(scf.collect(root + 1n)).to.changeTokenBalance(ethers, cny, a.pacific, due - first);
      // Paying the defaulted piece closes its default record in the registry.
      expect((await credit.getLoan(defaultId)).status).to.equal(2n); // Repaid
      expect(await allPendingReports(scf, defaultRef(root, ids.pacific))).to.deep.equal([]);
    });

    it("a settled default is retained from the day the debtor paid, not the day it was collected or delivered", async function () {
      const { scf, credit, members, a, ids, issue, quote, maturity } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      const { q, sig } = await quote(root);
      await scf.connect(a.glassworks).finance(q, sig);
      await networkHelpers.time.increaseTo(maturity + 8n * DAY);
      await scf.connect(a.pacific).declareDefault(root);
      const module = await members.memberForKey(await scf.getAddress());
      const defaultId = await credit.loanId(module, defaultRef(root, ids.pacific));
      // A Regulator has the registry paused; the debtor pays, and the financier collects ten days later (review 12):
      // the close is held in the ledger's queue for 20 days more.
      await credit.connect(a.regulator).pause();
      await scf.connect(a.pearl).repay(root);
      const paidOn = Number((await scf.getFamily(root)).repaidAt / DAY);
      await networkHelpers.time.increase(10n * DAY);
      await expect(scf.collect(root)).to.emit(scf, "CreditReportDeferred");
      await networkHelpers.time.increase(20n * DAY);
      await credit.unpause();
      await scf.retryCreditReports(defaultRef(root, ids.pacific), 10);
      expect((await credit.getLoan(defaultId)).status).to.equal(2n); // Repaid
      expect((await credit.termsOf(defaultId)).negativeUntil).to.equal(BigInt(addMonths(paidOn, 60)));
    });

    it("review 5, R5-1: a Regulator's correction of a default record never leaves the family's reports stuck", async function () {
      const { scf, credit, members, a, ids, issue, quote, maturity } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      await scf.connect(a.glassworks).split(root, [60_000_000n, 40_000_000n]);
      for (const id of [root, root + 1n]) {
        const { q, sig } = await quote(id);
        await scf.connect(a.glassworks).finance(q, sig);
      }
      await networkHelpers.time.increaseTo(maturity + 8n * DAY);
      await scf.connect(a.pacific).declareDefault(root);
      const module = await members.memberForKey(await scf.getAddress());
      const ref = defaultRef(root, ids.pacific);
      const id = await credit.loanId(module, ref);
      // The Regulator rules the first piece overdue, not a default yet; then the second piece defaults.
      const regulator = credit.connect(a.regulator);
      await regulator.openDispute(module, ref, reasonCode("RULING"));
      await regulator.correctLoan(
        module,
        ref,
        { status: 3, outstanding: 60_000_000n, commitment: ethers.id("c") },
        reasonCode("RULING"),
      );
      await expect(scf.connect(a.pacific).declareDefault(root + 1n)).to.not.emit(scf, "CreditReportDeferred");
      const record = await credit.getLoan(id);
      expect([record.outstanding, record.status]).to.deep.equal([100_000_000n, 4n]); // Defaulted, both pieces
      // Repaid after all: both pieces collect and the record is settled, with nothing left queued.
      await scf.connect(a.pearl).repay(root);
      for (const piece of [root, root + 1n]) await scf.collect(piece);
      expect(await allPendingReports(scf, ref)).to.deep.equal([]);
      expect((await credit.getLoan(id)).status).to.equal(2n); // Repaid
      expect((await credit.exposureOf(await members.entityKeyOf(ids.pearl))).outstanding).to.equal(0n);
    });

    it("review 4, A2: after a default, the financier closes the seller's recourse record, and only it, once", async function () {
      const { scf, credit, members, a, ids, issue, quote, maturity } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      await scf.connect(a.glassworks).split(root, [60_000_000n, 40_000_000n]);
      const withRecourse = await quote(root, { recourse: true });
      await scf.connect(a.glassworks).finance(withRecourse.q, withRecourse.sig);
      const without = await quote(root + 1n);
      await scf.connect(a.glassworks).finance(without.q, without.sig);
      await networkHelpers.time.increaseTo(maturity + 8n * DAY);
      await scf.connect(a.pacific).declareDefault(root);
      const module = await members.memberForKey(await scf.getAddress());
      const recourseId = await credit.loanId(module, loanRef(root));
      expect((await credit.getLoan(recourseId)).status).to.equal(1n); // Active: the seller's exposure
      // Neither the seller nor a stranger closes it; a piece financed without recourse has none to close.
      await expect(scf.connect(a.glassworks).closeRecourse(root))
        .to.be.revertedWithCustomError(scf, "ScfNotFinancier")
        .withArgs(root, a.glassworks.address);
      await expect(scf.connect(a.huaxia).closeRecourse(root))
        .to.be.revertedWithCustomError(scf, "ScfNotFinancier")
        .withArgs(root, a.huaxia.address);
      await expect(scf.connect(a.pacific).closeRecourse(root + 1n))
        .to.be.revertedWithCustomError(scf, "ScfNoRecourse")
        .withArgs(root + 1n);
      // The financier, made whole by the seller outside the ledger, closes it: the record is Repaid.
      await expect(scf.connect(a.pacific).closeRecourse(root))
        .to.emit(scf, "RecourseClosed")
        .withArgs(root, ids.pacific)
        .and.to.emit(credit, "LoanStatusChanged")
        .withArgs(recourseId, await members.entityKeyOf(ids.glassworks), 1n, 2n);
      await expect(scf.connect(a.pacific).closeRecourse(root))
        .to.be.revertedWithCustomError(scf, "ScfNoRecourse")
        .withArgs(root);
      // The piece is still the financier's: repaid after all, it collects, and no second close is sent.
      await scf.connect(a.pearl).repay(root);
      await expect(scf.collect(root)).to.not.emit(scf, "CreditReportDeferred");
      expect(await allPendingReports(scf, loanRef(root))).to.deep.equal([]);
      expect((await scf.getPiece(root)).state).to.equal(BigInt(Piece.Collected));
    });

    it("review 4, open item: the financier books the seller's unpaid recourse as a default, once the family is overdue", async function () {
      const { scf, credit, members, a, ids, issue, quote, maturity } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      await scf.connect(a.glassworks).split(root, [60_000_000n, 40_000_000n]);
      const withRecourse = await quote(root, { recourse: true });
      await scf.connect(a.glassworks).finance(withRecourse.q, withRecourse.sig);
      const without = await quote(root + 1n);
      await scf.connect(a.glassworks).finance(without.q, without.sig);
      const module = await members.memberForKey(await scf.getAddress());
      const recourseId = await credit.loanId(module, loanRef(root));
      const sellerKey = await members.entityKeyOf(ids.glassworks);
      const before = await credit.exposureOf(sellerKey);
      // Not before maturity plus grace; never by the seller or a stranger; never without recourse.
      const dueAt = maturity + BigInt((await scf.getFamily(root)).graceSeconds);
      await expect(scf.connect(a.pacific).defaultRecourse(root))
        .to.be.revertedWithCustomError(scf, "ScfNotOverdue")
        .withArgs(root, dueAt);
      await networkHelpers.time.increaseTo(maturity + 8n * DAY);
      await expect(scf.connect(a.glassworks).defaultRecourse(root))
        .to.be.revertedWithCustomError(scf, "ScfNotFinancier")
        .withArgs(root, a.glassworks.address);
      await expect(scf.connect(a.huaxia).defaultRecourse(root))
        .to.be.revertedWithCustomError(scf, "ScfNotFinancier")
        .withArgs(root, a.huaxia.address);
      await expect(scf.connect(a.pacific).defaultRecourse(root + 1n))
        .to.be.revertedWithCustomError(scf, "ScfNoRecourse")
        .withArgs(root + 1n);
      expect((await credit.getLoan(recourseId)).status).to.equal(1n); // still Active
      // The financier says the seller did not pay: the seller's record is Defaulted, its amount unchanged.
      await expect(scf.connect(a.pacific).defaultRecourse(root))
        .to.emit(scf, "RecourseDefaulted")
        .withArgs(root, ids.pacific)
        .and.to.emit(credit, "LoanStatusChanged")
        .withArgs(recourseId, sellerKey, 1n, 4n);
      const after = await credit.exposureOf(sellerKey);
      expect([after.outstanding, after.defaults]).to.deep.equal([before.outstanding, before.defaults + 1n]);
      await expect(scf.connect(a.pacific).defaultRecourse(root))
        .to.be.revertedWithCustomError(scf, "ScfRecourseAlreadyDefaulted")
        .withArgs(root);
      // The debtor pays after all: collecting the piece settles the seller's defaulted record, nothing left queued.
      await scf.connect(a.pearl).repay(root);
      await scf.collect(root);
      expect((await credit.getLoan(recourseId)).status).to.equal(2n); // Repaid
      expect(await allPendingReports(scf, loanRef(root))).to.deep.equal([]);
      expect((await credit.exposureOf(sellerKey)).outstanding).to.equal(0n);
    });

    it("a recourse default is refused while the ledger is paused, and queued while the registry is paused", async function () {
      const { scf, credit, members, a, ids, issue, quote, maturity } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      const withRecourse = await quote(root, { recourse: true });
      await scf.connect(a.glassworks).finance(withRecourse.q, withRecourse.sig);
      const module = await members.memberForKey(await scf.getAddress());
      const recourseId = await credit.loanId(module, loanRef(root));
      const sellerKey = await members.entityKeyOf(ids.glassworks);
      await networkHelpers.time.increaseTo(maturity + 8n * DAY);
      await scf.connect(a.regulator).pause();
      await expect(scf.connect(a.pacific).defaultRecourse(root)).to.be.revertedWithCustomError(scf, "EnforcedPause");
      await scf.unpause();
      // The registry paused: the piece records the default, and the seller's record follows once it is delivered.
      await credit.pause();
      await expect(scf.connect(a.pacific).defaultRecourse(root))
        .to.emit(scf, "RecourseDefaulted")
        .withArgs(root, ids.pacific)
        .and.to.emit(scf, "CreditReportDeferred");
      expect((await credit.getLoan(recourseId)).status).to.equal(1n); // still Active
      await expect(scf.connect(a.pacific).defaultRecourse(root))
        .to.be.revertedWithCustomError(scf, "ScfRecourseAlreadyDefaulted")
        .withArgs(root);
      await credit.unpause();
      await expect(scf.retryCreditReports(loanRef(root), 10))
        .to.emit(credit, "LoanStatusChanged")
        .withArgs(recourseId, sellerKey, 1n, 4n);
      expect(await allPendingReports(scf, loanRef(root))).to.deep.equal([]);
    });

    it("review 4, A1: a financier's defaults on the pieces it holds of one family are one record, of their total face", async function () {
      const { scf, credit, members, a, ids, issue, quote, maturity } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      await scf.connect(a.glassworks).split(root, [50_000_000n, 30_000_000n, 20_000_000n]);
      for (const [id, financier] of [
        [root, a.pacific],
        [root + 1n, a.pacific],
        [root + 2n, a.huaxia],
      ] as const) {
        const { q, sig } = await quote(id, {}, financier);
        await scf.connect(a.glassworks).finance(q, sig);
      }
      await networkHelpers.time.increaseTo(maturity + 8n * DAY);
      const module = await members.memberForKey(await scf.getAddress());
      const debtorKey = await members.entityKeyOf(ids.pearl);
      const pacificId = await credit.loanId(module, defaultRef(root, ids.pacific));
      await scf.connect(a.pacific).declareDefault(root);
      await expect(scf.connect(a.pacific).declareDefault(root + 1n))
        .to.emit(credit, "DefaultAdded")
        .withArgs(pacificId, debtorKey, 30_000_000n, 80_000_000n, anyValue)
        .and.not.to.emit(scf, "CreditReportDeferred");
      const record = await credit.getLoan(pacificId);
      expect([record.principal, record.outstanding, record.status]).to.deep.equal([80_000_000n, 80_000_000n, 4n]);
      // The other financier's default is its own record: one default per financier of the family, not per piece.
      await scf.connect(a.huaxia).declareDefault(root + 2n);
      const exposure = await credit.exposureOf(debtorKey);
      expect([exposure.defaults, exposure.outstanding]).to.deep.equal([2n, 100_000_000n]);
      // Paid after all: the first of the financier's pieces collected settles its record; the second finds it
      // settled and queues nothing.
      await scf.connect(a.pearl).repay(root);
      for (const id of [root, root + 1n, root + 2n]) await scf.collect(id);
      expect((await credit.getLoan(pacificId)).status).to.equal(2n); // Repaid
      expect(await allPendingReports(scf, defaultRef(root, ids.pacific))).to.deep.equal([]);
      expect((await credit.exposureOf(debtorKey)).outstanding).to.equal(0n);
    });

    it("item 7: reports name the members concerned, as the financier's signed quote agreed", async function () {
      const { scf, credit, members, a, ids, issue, quote, maturity } = await networkHelpers.loadFixture(fixture);
      const module = await members.memberForKey(await scf.getAddress());
      const root = await issue();
      await scf.connect(a.glassworks).split(root, [60_000_000n, 40_000_000n]);
      const { q, sig } = await quote(root, { recourse: true });
      const price = await scf.priceOf(q);
      await scf.connect(a.glassworks).finance(q, sig);
      // The exposure is the seller member's, under the entity key the member registry holds for it.
      const exposure = await credit.getLoan(await credit.loanId(module, loanRef(root)));
      expect([exposure.borrowerKey, exposure.lender, exposure.principal, exposure.maturityDay]).to.deep.equal([
        await members.entityKeyOf(ids.glassworks),
        ids.pacific,
        price,
        maturity / DAY,
      ]);
      // A quote agreed with one seller cannot be spent by another holder.
      const forGlassworks = await quote(root + 1n, { recourse: true });
      await scf.connect(a.glassworks).transfer(root + 1n, a.precision);
      await expect(scf.connect(a.precision).finance(forGlassworks.q, forGlassworks.sig))
        .to.be.revertedWithCustomError(scf, "ScfQuoteSellerMismatch")
        .withArgs(root + 1n, ids.glassworks, ids.precision);
      const own = await quote(root + 1n);
      await scf.connect(a.precision).finance(own.q, own.sig);
      // A default is about the family's debtor member: no key is taken from the caller.
      await networkHelpers.time.increaseTo(maturity + 8n * DAY);
      await scf.connect(a.pacific).declareDefault(root + 1n);
      const dflt = await credit.getLoan(await credit.loanId(module, defaultRef(root, ids.pacific)));
      expect([dflt.borrowerKey, dflt.lender, dflt.outstanding, dflt.status]).to.deep.equal([
        await members.entityKeyOf(ids.pearl),
        ids.pacific,
        40_000_000n,
        4n, // Defaulted
      ]);
    });

    it("item 9: a credit line belongs to the bank the debtor chose; the governor can reassign it", async function () {
      const { world, scf, members, a, ids, token, maturity } = await networkHelpers.loadFixture(fixture);
      const usd = await world.contracts.tokens.USD.getAddress();
      // A rival financier can neither take nor zero the line.
      await expect(scf.connect(a.pacific).setCreditLine(ids.pearl, token, 0n))
        .to.be.revertedWithCustomError(scf, "ScfCreditLineNotYours")
        .withArgs(ids.pearl, ids.pacific, ids.huaxia);
      await expect(scf.connect(a.pacific).freezeCreditLine(ids.pearl, token, true))
        .to.be.revertedWithCustomError(scf, "ScfCreditLineNotYours")
        .withArgs(ids.pearl, ids.pacific, ids.huaxia);
      // Nobody grants a line the debtor has not given to a bank.
      await expect(scf.connect(a.huaxia).setCreditLine(ids.pearl, usd, 1n))
        .to.be.revertedWithCustomError(scf, "ScfCreditLineNotYours")
        .withArgs(ids.pearl, ids.huaxia, 0n);
      await expect(scf.connect(a.huaxia).chooseFinancier(usd, ids.huaxia))
        .to.be.revertedWithCustomError(members, "MemberMissingRole")
        .withArgs(a.huaxia.address, ids.huaxia, roleIndex("CoreEnterprise"));
      await expect(scf.connect(a.pearl).chooseFinancier(usd, ids.glassworks))
        .to.be.revertedWithCustomError(members, "MemberMissingRole")
        .withArgs(a.glassworks.address, ids.glassworks, roleIndex("Financier"));
      await expect(scf.connect(a.pearl).chooseFinancier(usd, ids.pacific))
        .to.emit(scf, "CreditLineAssigned")
        .withArgs(ids.pearl, usd, ids.pacific, false);
      await scf.connect(a.pacific).setCreditLine(ids.pearl, usd, 5n);
      // The governor reassigns a line; the use is kept, the new bank sets the limit.
      await scf.connect(a.pearl).issue(a.glassworks, token, FACE, maturity, [invoice()]);
      await expect(scf.connect(a.pacific).reassignCreditLine(ids.pearl, token, ids.pacific))
        .to.be.revertedWithCustomError(scf, "GovernorUnauthorizedAccount")
        .withArgs(a.pacific.address);
      await expect(scf.reassignCreditLine(ids.pearl, token, ids.pacific))
        .to.emit(scf, "CreditLineAssigned")
        .withArgs(ids.pearl, token, ids.pacific, true);
      const line = await scf.creditLineOf(ids.pearl, token);
      expect([line.financier, line.limit, line.used]).to.deep.equal([ids.pacific, 0n, FACE]);
      await expect(scf.connect(a.huaxia).setCreditLine(ids.pearl, token, LINE))
        .to.be.revertedWithCustomError(scf, "ScfCreditLineNotYours")
        .withArgs(ids.pearl, ids.huaxia, ids.pacific);
      await scf.connect(a.pacific).setCreditLine(ids.pearl, token, LINE);
    });

    it("item 10: a request reserves no invoice; the debtor rejects it or it lapses", async function () {
      const { scf, a, ids, token, maturity, otherCore, outsider } = await networkHelpers.loadFixture(fixture);
      const k = invoice();
      const requested = 1n << 24n;
      await scf.connect(a.glassworks).request(ids.pearl, token, FACE, maturity, [k]);
      expect(await scf.invoiceUse(ids.pearl, k)).to.equal(0n);
      // The debtor's genuine receivable on the same invoice is not refused; the request then cannot take it.
      await scf.connect(a.pearl).issue(a.precision, token, FACE, maturity, [k]);
      expect(await scf.invoiceUse(ids.pearl, k)).to.equal(2n << 24n);
      await expect(scf.connect(a.pearl).confirm(requested))
        .to.be.revertedWithCustomError(scf, "ScfInvoiceAlreadyUsed")
        .withArgs(k, 2n << 24n);
      await expect(scf.connect(otherCore).reject(requested))
        .to.be.revertedWithCustomError(scf, "ScfNotDebtor")
        .withArgs(ids.pearl, otherCore.address);
      await expect(scf.connect(a.pearl).reject(requested))
        .to.emit(scf, "RequestClosed")
        .withArgs(requested, ids.pearl, Family.Rejected);
      await expect(scf.connect(a.pearl).confirm(requested))
        .to.be.revertedWithCustomError(scf, "ScfUnexpectedFamilyState")
        .withArgs(requested, Family.Rejected, stateBitmap([Family.Requested]));
      // A request never confirmed lapses at its maturity, and its invoice stays free.
      const soon = BigInt(await networkHelpers.time.latest()) + DAY;
      const k2 = invoice();
      await scf.connect(a.silica).request(ids.pearl, token, FACE, soon, [k2]);
      const lapsing = 3n << 24n;
      await expect(scf.connect(outsider).lapse(lapsing))
        .to.be.revertedWithCustomError(scf, "ScfRequestNotLapsed")
        .withArgs(lapsing, soon);
      await networkHelpers.time.increaseTo(soon);
      await expect(scf.connect(outsider).lapse(lapsing))
        .to.emit(scf, "RequestClosed")
        .withArgs(lapsing, 0n, Family.Lapsed);
      expect(await scf.invoiceUse(ids.pearl, k2)).to.equal(0n);
      await scf.connect(a.pearl).issue(a.silica, token, 1n, maturity, [k2]);
      // The supplier may withdraw its own request.
      await scf.connect(a.glassworks).request(ids.pearl, token, 1n, maturity, [invoice()]);
      await expect(scf.connect(a.glassworks).reject(5n << 24n))
        .to.emit(scf, "RequestClosed")
        .withArgs(5n << 24n, ids.glassworks, Family.Rejected);
    });

    it("item 17: the piece counter stops at 2^24 - 1 instead of wrapping to 0", async function () {
      const { scf, a, ids, issue } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      const ledger = await scf.getAddress();
      // Find the family's first slot (debtor in the low 32 bits, piece counter 1 at bit 72) and raise the counter.
      let slot = -1n;
      for (let base = 0n; base < 64n && slot < 0n; base++) {
        const at = BigInt(
          ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [1n, base])),
        );
        const word = BigInt(await ethers.provider.getStorage(ledger, at));
        if ((word & 0xffffffffn) === ids.pearl && ((word >> 72n) & 0xffffffn) === 1n) slot = at;
      }
      expect(slot).to.not.equal(-1n);
      const word = BigInt(await ethers.provider.getStorage(ledger, slot));
      const withCounter = (n: bigint) => ethers.toBeHex((word & ~(0xffffffn << 72n)) | (n << 72n), 32);
      await networkHelpers.setStorageAt(ledger, slot, withCounter((1n << 24n) - 2n));
      await scf.connect(a.glassworks).split(root, [1n, FACE - 1n]);
      expect((await scf.getFamily(root)).pieces).to.equal((1n << 24n) - 1n);
      await expect(scf.connect(a.glassworks).split(root + (1n << 24n) - 2n, [1n, FACE - 2n]))
        .to.be.revertedWithCustomError(scf, "ScfTooManyPieces")
        .withArgs(root);
      expect((await scf.getFamily(root)).pieces).to.equal((1n << 24n) - 1n);
    });

    it("item 18: a pause never runs a deadline against the debtor; repayment and collection stay open", async function () {
      const { scf, members, cny, a, ids, issue, quote, maturity } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      const { q, sig } = await quote(root);
      await scf.connect(a.glassworks).finance(q, sig);
      await scf.connect(a.regulator).pause();
      await networkHelpers.time.increaseTo(maturity + 30n * DAY); // across maturity plus grace
      await scf.connect(a.regulator).unpause();
      const paused = await scf.pausedSeconds();
      expect((await scf.getFamily(root)).maturity).to.equal(maturity + paused);
      // Neither overdue nor defaultable the moment the pause ends, and no penalty for paused days.
      await expect(scf.markOverdue(root))
        .to.be.revertedWithCustomError(scf, "ScfNotOverdue")
        .withArgs(root, maturity + paused + 7n * DAY);
      await expect(scf.connect(a.pacific).declareDefault(root)).to.be.revertedWithCustomError(scf, "ScfNotOverdue");
      expect(await scf.amountDue(root)).to.deep.equal([FACE, 0n]);
      // The governor's pause is lifted by the governor only; meanwhile the debtor repays and the holder collects.
      await scf.pause();
      await expect(scf.connect(a.regulator).unpause())
        .to.be.revertedWithCustomError(scf, "PauseLiftUnauthorized")
        .withArgs(a.regulator.address);
      await expect(scf.connect(a.pearl).repay(root)).to.emit(scf, "FamilyRepaid").withArgs(root, ids.pearl, FACE, 0n);
      await expect(scf.collect(root)).to.changeTokenBalance(ethers, cny, a.pacific, FACE);
      await scf.unpause();
      void members;
      void ids;
    });

    it("item 20: a line counts one currency, and only the reporting currency is reported", async function () {
      const { world, scf, a, ids, token, maturity, quote } = await networkHelpers.loadFixture(fixture);
      const usdToken = world.contracts.tokens.USD;
      const usd = await usdToken.getAddress();
      await usdToken.connect(world.issuer).mint(a.pacific, 1_000_000_000n);
      await usdToken.connect(a.pacific).approve(await scf.getAddress(), 1_000_000_000n);
      // The CNY line does not take a USD receivable.
      await expect(scf.connect(a.pearl).issue(a.glassworks, usd, FACE, maturity, [invoice()]))
        .to.be.revertedWithCustomError(scf, "ScfCreditLineExceeded")
        .withArgs(ids.pearl, FACE, 0n);
      await scf.connect(a.pearl).chooseFinancier(usd, ids.huaxia);
      await scf.connect(a.huaxia).setCreditLine(ids.pearl, usd, FACE);
      await scf.connect(a.pearl).issue(a.glassworks, usd, FACE, maturity, [invoice()]);
      const root = 1n << 24n;
      expect((await scf.creditLineOf(ids.pearl, usd)).used).to.equal(FACE);
      expect((await scf.creditLineOf(ids.pearl, token)).used).to.equal(0n);
      // USD recourse would be added to CNY exposures: refused.
      const recourse = await quote(root, { recourse: true });
      await expect(scf.connect(a.glassworks).finance(recourse.q, recourse.sig))
        .to.be.revertedWithCustomError(scf, "ScfRecourseCurrency")
        .withArgs(usd, ascii3("USD"), ascii3("CNY"));
      const plain = await quote(root);
      await scf.connect(a.glassworks).finance(plain.q, plain.sig);
      await networkHelpers.time.increaseTo(maturity + 8n * DAY);
      // A USD default is recorded on the ledger but not reported in CNY units.
      await expect(scf.connect(a.pacific).declareDefault(root))
        .to.emit(scf, "CreditReportNotInCurrency")
        .withArgs(root, usd, ascii3("USD"))
        .and.not.to.emit(scf, "CreditReportDeferred");
      expect(await allPendingReports(scf, defaultRef(root, ids.pacific))).to.have.length(0);
      // Collecting it after the debtor paid closes no record either: none was reported, so none is queued.
      await usdToken.connect(world.issuer).mint(a.pearl, 2n * FACE);
      await usdToken.connect(a.pearl).approve(await scf.getAddress(), 2n * FACE);
      await scf.connect(a.pearl).repay(root);
      await expect(scf.collect(root)).to.emit(scf, "ReceivableCollected").and.not.to.emit(scf, "CreditReportDeferred");
      expect(await allPendingReports(scf, defaultRef(root, ids.pacific))).to.have.length(0);
    });

    it("item 21: a pledged piece's proceeds go to the pledgee", async function () {
      const { scf, cny, a, ids, issue, maturity } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      await scf.connect(a.glassworks).encumber(root, ids.huaxia);
      expect((await scf.getPiece(root)).pledgee).to.equal(ids.huaxia);
      await networkHelpers.time.increaseTo(maturity);
      await scf.connect(a.pearl).repay(root);
      const tx = scf.collect(root);
      await expect(tx).to.emit(scf, "ReceivableCollected").withArgs(root, ids.huaxia, FACE, true);
      await expect(tx).to.changeTokenBalances(ethers, cny, [a.huaxia, a.glassworks], [FACE, 0n]);
    });

    it("item 23: a financier cannot declare a default on a family it owes, nor be its own line's bank", async function () {
      const { scf, members, a, ids, token, maturity, quote } = await networkHelpers.loadFixture(fixture);
      await members.grantRoles(ids.huaxia, roleMask(["CoreEnterprise"]));
      await expect(scf.connect(a.huaxia).chooseFinancier(token, ids.huaxia))
        .to.be.revertedWithCustomError(scf, "ScfSelfDealing")
        .withArgs(ids.huaxia);
      await scf.connect(a.huaxia).chooseFinancier(token, ids.pacific);
      await scf.connect(a.pacific).setCreditLine(ids.huaxia, token, FACE);
      await scf.connect(a.huaxia).issue(a.glassworks, token, FACE, maturity, [invoice()]);
      const root = 1n << 24n;
      const own = await quote(root, {}, a.huaxia);
      await scf.connect(a.glassworks).finance(own.q, own.sig);
      await networkHelpers.time.increaseTo(maturity + 8n * DAY);
      await expect(scf.connect(a.huaxia).declareDefault(root))
        .to.be.revertedWithCustomError(scf, "ScfSelfDealing")
        .withArgs(ids.huaxia);
    });

    it("item 24: a debtor without its role still repays, and anyone may pay for it", async function () {
      const { scf, members, a, ids, issue, maturity, token } = await networkHelpers.loadFixture(fixture);
      const first = await issue();
      const second = await issue(1_000n);
      await members.removeRoles(ids.pearl, roleMask(["CoreEnterprise"]));
      await networkHelpers.time.increaseTo(maturity);
      await expect(scf.connect(a.pearl).repay(first)).to.emit(scf, "FamilyRepaid").withArgs(first, ids.pearl, FACE, 0n);
      await expect(scf.connect(a.huaxia).repay(second))
        .to.emit(scf, "FamilyRepaid")
        .withArgs(second, ids.pearl, 1_000n, 0n);
      expect((await scf.creditLineOf(ids.pearl, token)).used).to.equal(0n);
    });

    it("item 25: grace and penalty apply as agreed at confirmation", async function () {
      const { scf, a, issue, maturity } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      await scf.setTerms(86_400, 3_650);
      const agreed = await scf.getFamily(root);
      expect([agreed.graceSeconds, agreed.penaltyRateBps]).to.deep.equal([7n * DAY, 1_800n]);
      const later = await issue(1n);
      const fresh = await scf.getFamily(later);
      expect([fresh.graceSeconds, fresh.penaltyRateBps]).to.deep.equal([DAY, 3_650n]);
      await networkHelpers.time.increaseTo(maturity + 2n * DAY + 1n);
      await expect(scf.markOverdue(root))
        .to.be.revertedWithCustomError(scf, "ScfNotOverdue")
        .withArgs(root, maturity + 7n * DAY);
      await scf.markOverdue(later);
      const [, penalty] = await scf.amountDue(root);
      expect(penalty).to.equal((FACE * 1_800n * 2n + 10_000n * 365n - 1n) / (10_000n * 365n));
      void a;
    });

    it("item 26: only the consortium's settlement tokens", async function () {
      const { world, scf, members, a, ids, maturity } = await networkHelpers.loadFixture(fixture);
      const usd = await world.contracts.tokens.USD.getAddress();
      await members.setSettlementToken(usd, false);
      await expect(scf.connect(a.pearl).issue(a.glassworks, usd, FACE, maturity, [invoice()]))
        .to.be.revertedWithCustomError(scf, "ScfInvalidToken")
        .withArgs(usd);
      await expect(scf.connect(a.glassworks).request(ids.pearl, usd, FACE, maturity, [invoice()]))
        .to.be.revertedWithCustomError(scf, "ScfInvalidToken")
        .withArgs(usd);
      await expect(scf.connect(a.pearl).chooseFinancier(usd, ids.huaxia))
        .to.be.revertedWithCustomError(scf, "ScfInvalidToken")
        .withArgs(usd);
    });
  });
});
