import { expect } from "chai";
import { network } from "hardhat";

import { signConfirmation, signQuote, type QuoteTerms } from "../../src/eip712.js";
import { jurisdictionCode, legalIdHash, reasonCode } from "../../src/encoding.js";
import { borrowerKey, invoiceKey } from "../../src/keys.js";
import { roleIndex, roleMask } from "../../src/members.js";
import { daysBetween, discountedPrice } from "../../src/scf.js";
import { ephemeralKey } from "../../scripts/lib/loans.js";
import { deployWorld } from "../../scripts/lib/world.js";
import { testEntityKey } from "../helpers/entity.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const key = ephemeralKey();
const DAY = 86_400n;
const FACE = 100_000_000n; // 1,000,000.00 CNY
const LINE = 250_000_000n;
const REASON = reasonCode("COURT-ORDER-12");
const Family = { None: 0, Requested: 1, Confirmed: 2, Overdue: 3, Repaid: 4, Defaulted: 5 } as const;
const Piece = { None: 0, Held: 1, Financed: 2, Collected: 3 } as const;
const MemberStatus = { Suspended: 2 } as const;

let invoices = 0;
const invoice = (): string => invoiceKey(key, ethers.ZeroAddress, `INV-${++invoices}`, "2026-11-01");

async function fixture() {
  const world = await deployWorld(connection);
  const { scf, members, credit, tokens } = world.contracts;
  const cny = tokens.CNY;
  const a = world.admins;
  const [outsider, otherCore] = world.outsiders;
  await members.admit(
    legalIdHash("TLOTHERCORE000000001"),
    testEntityKey(legalIdHash("TLOTHERCORE000000001")),
    jurisdictionCode("CN"),
    roleMask(["CoreEnterprise"]),
    otherCore,
  );
  await scf.connect(a.huaxia).setCreditLine(world.ids.pearl, LINE);
  const ledger = await scf.getAddress();
  for (const who of [a.pearl, a.pacific, a.huaxia]) {
    await cny.connect(world.issuer).mint(who, 1_000_000_000n);
    await cny.connect(who).approve(ledger, 1_000_000_000n);
  }
  const maturity = BigInt(await networkHelpers.time.latest()) + 90n * DAY;
  const token = await cny.getAddress();
  /** Pearl issues a confirmed receivable to `supplier` (glassworks by default). */
  const issue = async (face = FACE, supplier = a.glassworks.address) => {
    const tx = await scf.connect(a.pearl).issue(supplier, token, face, maturity, [invoice()]);
    const receipt = await tx.wait();
    const parsed = receipt!.logs.map((l) => scf.interface.parseLog(l)).find((e) => e?.name === "ReceivableConfirmed");
    return parsed!.args.id as bigint;
  };
  /** A quote by `financier` (pacific by default) for piece `id`. */
  const quote = async (id: bigint, overrides: Partial<QuoteTerms> = {}, financier = a.pacific) => {
    const now = BigInt(await networkHelpers.time.latest());
    const q: QuoteTerms = {
      id,
      rateBps: 600,
      dayBase: 360,
      recourse: false,
      supplierKey: ethers.ZeroHash,
      expiry: now + 3_600n,
      nonce: BigInt(++invoices),
      ...overrides,
    };
    return { q, sig: await signQuote(scf, financier, q) };
  };
  return { world, scf, members, credit, cny, a, ids: world.ids, outsider, otherCore, maturity, token, issue, quote };
}

describe("ReceivableLedger", function () {
  describe("credit lines", function () {
    it("test_setCreditLine_byFinancierOnlyForACoreEnterprise", async function () {
      const { scf, members, a, ids, outsider } = await networkHelpers.loadFixture(fixture);
      expect((await scf.creditLineOf(ids.pearl)).limit).to.equal(LINE);
      await expect(scf.connect(a.huaxia).setCreditLine(ids.pearl, LINE * 2n))
        .to.emit(scf, "CreditLineSet")
        .withArgs(ids.pearl, ids.huaxia, LINE * 2n);
      await expect(scf.connect(a.pacific).setCreditLine(ids.pearl, 1n))
        .to.be.revertedWithCustomError(scf, "ScfCreditLineNotYours")
        .withArgs(ids.pearl, ids.pacific, ids.huaxia);
      await expect(scf.connect(outsider).setCreditLine(ids.pearl, 1n))
        .to.be.revertedWithCustomError(members, "MemberUnknownAccount")
        .withArgs(outsider.address);
      await expect(scf.connect(a.glassworks).setCreditLine(ids.pearl, 1n))
        .to.be.revertedWithCustomError(members, "MemberMissingRole")
        .withArgs(a.glassworks.address, ids.glassworks, roleIndex("Financier"));
      await expect(scf.connect(a.pacific).setCreditLine(ids.glassworks, 1n))
        .to.be.revertedWithCustomError(members, "MemberMissingRole")
        .withArgs(a.glassworks.address, ids.glassworks, roleIndex("CoreEnterprise"));
      await expect(scf.connect(a.pacific).freezeCreditLine(ids.pearl, true)).to.be.revertedWithCustomError(
        scf,
        "ScfCreditLineNotYours",
      );
      expect((await scf.creditLineOf(ids.pearl)).limit).to.equal(LINE * 2n);
    });

    it("test_confirm_revertsOverTheLineAndWhenFrozen", async function () {
      const { scf, a, ids, issue, token, maturity } = await networkHelpers.loadFixture(fixture);
      await issue(200_000_000n);
      const k = invoice();
      await expect(scf.connect(a.pearl).issue(a.glassworks, token, 60_000_000n, maturity, [k]))
        .to.be.revertedWithCustomError(scf, "ScfCreditLineExceeded")
        .withArgs(ids.pearl, 260_000_000n, LINE);
      expect(await scf.invoiceUse(k)).to.equal(0n);
      await issue(50_000_000n);
      expect((await scf.creditLineOf(ids.pearl)).used).to.equal(LINE);
      await scf.connect(a.huaxia).setCreditLine(ids.pearl, 300_000_000n);
      await expect(scf.connect(a.huaxia).freezeCreditLine(ids.pearl, true))
        .to.emit(scf, "CreditLineFrozen")
        .withArgs(ids.pearl, true);
      await expect(scf.connect(a.pearl).issue(a.glassworks, token, 1n, maturity, [invoice()]))
        .to.be.revertedWithCustomError(scf, "ScfCreditLineFrozen")
        .withArgs(ids.pearl);
      await scf.connect(a.huaxia).freezeCreditLine(ids.pearl, false);
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
      expect([p.holder, p.face, p.tier, p.state]).to.deep.equal([a.glassworks.address, FACE, 1n, BigInt(Piece.Held)]);
      const f = await scf.getFamily(root);
      expect([f.debtor, f.token, f.maturity, f.face, f.state]).to.deep.equal([
        ids.pearl,
        token,
        maturity,
        FACE,
        BigInt(Family.Confirmed),
      ]);
      expect(await scf.invoiceUse(k)).to.equal(root);
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
      await expect(scf.connect(a.pearl).issue(a.precision, token, 1n, maturity, [fresh, fresh]))
        .to.be.revertedWithCustomError(scf, "ScfInvoiceAlreadyUsed")
        .withArgs(fresh, 2n << 24n);
      expect(await scf.invoiceUse(fresh)).to.equal(0n);
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
        .to.be.revertedWithCustomError(scf, "ScfInvalidInvoices")
        .withArgs(0);
      await expect(issueAs({ keys: Array.from({ length: 17 }, invoice) }))
        .to.be.revertedWithCustomError(scf, "ScfInvalidInvoices")
        .withArgs(17);
      await expect(issueAs({ keys: [ethers.ZeroHash] }))
        .to.be.revertedWithCustomError(scf, "ScfInvalidInvoices")
        .withArgs(1);
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
      expect((await scf.creditLineOf(ids.pearl)).used).to.equal(0n);
    });

    it("test_requestThenConfirm_byTheDebtorOnly", async function () {
      const { scf, members, a, ids, token, maturity, otherCore, outsider } = await networkHelpers.loadFixture(fixture);
      const root = 1n << 24n;
      await expect(scf.connect(a.glassworks).request(ids.pearl, token, FACE, maturity, [invoice()]))
        .to.emit(scf, "ReceivableRequested")
        .withArgs(root, ids.pearl, a.glassworks.address, token, FACE, maturity);
      expect((await scf.getPiece(root)).state).to.equal(BigInt(Piece.None));
      await expect(scf.connect(a.glassworks).split(root, [1n, FACE - 1n]))
        .to.be.revertedWithCustomError(scf, "ScfInvalidPieceState")
        .withArgs(root, Piece.None);
      const otherId = await members.memberOf(otherCore);
      await expect(scf.connect(otherCore).confirm(root))
        .to.be.revertedWithCustomError(scf, "ScfNotDebtor")
        .withArgs(ids.pearl, otherCore.address);
      await expect(scf.connect(outsider).confirm(root)).to.be.revertedWithCustomError(members, "MemberUnknownAccount");
      await expect(scf.connect(a.pearl).confirm(root))
        .to.emit(scf, "ReceivableConfirmed")
        .withArgs(root, ids.pearl, FACE);
      await expect(scf.connect(a.pearl).confirm(root))
        .to.be.revertedWithCustomError(scf, "ScfInvalidFamilyState")
        .withArgs(root, Family.Confirmed);
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
      await expect(scf.connect(outsider).confirmWithSignature(root, expired.nonce, expired.deadline, expired.signature))
        .to.be.revertedWithCustomError(scf, "ScfSignatureExpired")
        .withArgs(now);
      const bySupplier = await signConfirmation(scf, a.glassworks, root, now + 3_600n);
      await expect(
        scf.connect(outsider).confirmWithSignature(root, bySupplier.nonce, bySupplier.deadline, bySupplier.signature),
      )
        .to.be.revertedWithCustomError(scf, "MemberMissingRole")
        .withArgs(a.glassworks.address, ids.glassworks, roleIndex("CoreEnterprise"));
      const byOtherCore = await signConfirmation(scf, otherCore, root, now + 3_600n);
      await expect(
        scf
          .connect(outsider)
          .confirmWithSignature(root, byOtherCore.nonce, byOtherCore.deadline, byOtherCore.signature),
      )
        .to.be.revertedWithCustomError(scf, "ScfNotDebtor")
        .withArgs(ids.pearl, otherCore.address);
      const ok = await signConfirmation(scf, a.pearl, root, now + 3_600n);
      await expect(scf.connect(outsider).confirmWithSignature(root, ok.nonce, ok.deadline, ok.signature))
        .to.emit(scf, "ReceivableConfirmed")
        .withArgs(root, ids.pearl, FACE);
      // The same signature again: its nonce is spent.
      await expect(scf.connect(outsider).confirmWithSignature(root, ok.nonce, ok.deadline, ok.signature))
        .to.be.revertedWithCustomError(scf, "InvalidAccountNonce")
        .withArgs(a.pearl.address, ok.nonce + 1n);
    });
  });

  describe("split and transfer", function () {
    it("test_split_keepsTheFirstPartAndConservesFace", async function () {
      const { scf, a, issue } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      await expect(scf.connect(a.glassworks).split(root, [50_000_000n, 30_000_000n, 20_000_000n]))
        .to.emit(scf, "ReceivableSplit")
        .withArgs(root, root + 1n, [50_000_000n, 30_000_000n, 20_000_000n]);
      const faces = await Promise.all([root, root + 1n, root + 2n].map(async (id) => (await scf.getPiece(id)).face));
      expect(faces).to.deep.equal([50_000_000n, 30_000_000n, 20_000_000n]);
      expect((await scf.getPiece(root + 2n)).tier).to.equal(1n);
      expect((await scf.getFamily(root)).pieces).to.equal(3n);
      await scf.connect(a.glassworks).split(root + 1n, [10_000_000n, 20_000_000n]);
      expect((await scf.getPiece(root + 3n)).face).to.equal(20_000_000n);
    });

    it("test_split_revertsOnBadFacesOrWrongHolder", async function () {
      const { scf, a, issue } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      const bad: [bigint[], bigint][] = [
        [[FACE], FACE],
        [[FACE - 1n, 2n], FACE + 1n],
        [[FACE, 0n], FACE],
        [Array.from({ length: 17 }, () => 1n), 17n],
      ];
      for (const [faces, total] of bad) {
        await expect(scf.connect(a.glassworks).split(root, faces))
          .to.be.revertedWithCustomError(scf, "ScfInvalidSplit")
          .withArgs(root, total, FACE);
      }
      await expect(scf.connect(a.precision).split(root, [1n, FACE - 1n]))
        .to.be.revertedWithCustomError(scf, "ScfNotHolder")
        .withArgs(root, a.precision.address);
      await expect(scf.connect(a.glassworks).split(root + 1n, [1n, 1n]))
        .to.be.revertedWithCustomError(scf, "ScfUnknownReceivable")
        .withArgs(root + 1n);
      expect((await scf.getFamily(root)).pieces).to.equal(1n);
    });

    it("test_transfer_toASupplierOneTierDown", async function () {
      const { scf, a, issue } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      await expect(scf.connect(a.glassworks).transfer(root, a.precision))
        .to.emit(scf, "ReceivableTransferred")
        .withArgs(root, a.glassworks.address, a.precision.address, 2);
      await scf.connect(a.precision).transfer(root, a.silica);
      const p = await scf.getPiece(root);
      expect([p.holder, p.tier]).to.deep.equal([a.silica.address, 3n]);
    });

    it("test_transfer_revertsToANonMemberOrNonSupplier", async function () {
      const { scf, a, issue, outsider } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      for (const to of [outsider.address, a.huaxia.address, a.pearl.address]) {
        await expect(scf.connect(a.glassworks).transfer(root, to))
          .to.be.revertedWithCustomError(scf, "ScfInvalidRecipient")
          .withArgs(to);
      }
      await expect(scf.connect(outsider).transfer(root, a.precision))
        .to.be.revertedWithCustomError(scf, "ScfNotHolder")
        .withArgs(root, outsider.address);
      expect((await scf.getPiece(root)).holder).to.equal(a.glassworks.address);
    });

    it("test_transfer_revertsAfterMaturityWhileFinancedFrozenOrEncumbered", async function () {
      const { scf, members, a, ids, issue, quote, maturity, world } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      await scf.connect(a.glassworks).split(root, [25_000_000n, 25_000_000n, 25_000_000n, 25_000_000n]);
      const { q, sig } = await quote(root);
      await scf.connect(a.glassworks).finance(q, sig);
      await expect(scf.connect(a.pacific).transfer(root, a.precision))
        .to.be.revertedWithCustomError(scf, "ScfInvalidPieceState")
        .withArgs(root, Piece.Financed);
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
      expect((await scf.getPiece(root + 3n)).holder).to.equal(world.admins.glassworks.address);
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
        .to.be.revertedWithCustomError(scf, "ScfNotFinancier")
        .withArgs(root, a.pacific.address);
      await expect(scf.connect(a.huaxia).release(root))
        .to.emit(scf, "ReceivableEncumbered")
        .withArgs(root, ids.huaxia, false);
      await expect(scf.connect(a.huaxia).release(root)).to.be.revertedWithCustomError(scf, "ScfNotFinancier");
      await scf.connect(a.glassworks).transfer(root, a.precision);
    });
  });

  describe("discounting", function () {
    it("test_finance_paysTheDiscountedPriceInTheSameTransaction", async function () {
      const { scf, cny, a, issue, quote, maturity } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      const { q, sig } = await quote(root, { rateBps: 730, dayBase: 365 });
      const now = BigInt(await networkHelpers.time.latest()) + 1n; // the next block's time
      await networkHelpers.time.setNextBlockTimestamp(now);
      const price = discountedPrice(FACE, 730n, daysBetween(now, maturity), 365n);
      expect(price).to.equal(FACE - (FACE * 730n * 90n) / (10_000n * 365n)); // 90 days, exact here
      const tx = scf.connect(a.glassworks).finance(q, sig);
      await expect(tx)
        .to.emit(scf, "ReceivableFinanced")
        .withArgs(root, a.glassworks.address, a.pacific.address, price, 730, 365, false);
      await expect(tx).to.changeTokenBalances(ethers, cny, [a.glassworks, a.pacific], [price, -price]);
      const p = await scf.getPiece(root);
      expect([p.holder, p.state]).to.deep.equal([a.pacific.address, BigInt(Piece.Financed)]);
      expect(await scf.nonceUsed(a.pacific.address, q.nonce)).to.equal(true);
    });

    it("test_finance_revertsWhenFinancedTwiceAtAnyBank", async function () {
      const { scf, a, issue, quote } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      const first = await quote(root);
      await scf.connect(a.glassworks).finance(first.q, first.sig);
      const second = await quote(root, {}, a.huaxia);
      await expect(scf.connect(a.glassworks).finance(second.q, second.sig))
        .to.be.revertedWithCustomError(scf, "ScfNotHolder")
        .withArgs(root, a.glassworks.address);
      await expect(scf.connect(a.pacific).finance(second.q, second.sig))
        .to.be.revertedWithCustomError(scf, "ScfInvalidPieceState")
        .withArgs(root, Piece.Financed);
      await expect(scf.connect(a.pacific).split(root, [1n, FACE - 1n]))
        .to.be.revertedWithCustomError(scf, "ScfInvalidPieceState")
        .withArgs(root, Piece.Financed);
    });

    it("test_finance_revertsOnExpiredReplayedOrForeignQuotes", async function () {
      const { scf, members, a, ids, issue, quote } = await networkHelpers.loadFixture(fixture);
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
        .to.emit(scf, "QuoteNonceCancelled")
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
        .to.be.revertedWithCustomError(scf, "ScfInvalidQuote")
        .withArgs(600, 364);
      const usurious = await quote(root + 1n, { rateBps: 65_535 });
      await expect(scf.connect(a.glassworks).finance(usurious.q, usurious.sig))
        .to.be.revertedWithCustomError(scf, "ScfInvalidQuote")
        .withArgs(65_535, 360);
      const noKey = await quote(root + 1n, { recourse: true });
      await expect(scf.connect(a.glassworks).finance(noKey.q, noKey.sig))
        .to.be.revertedWithCustomError(scf, "ScfInvalidQuote")
        .withArgs(600, 360);
      const tampered = await quote(root + 1n);
      await expect(
        scf.connect(a.glassworks).finance({ ...tampered.q, rateBps: 1 }, tampered.sig),
      ).to.be.revertedWithCustomError(members, "MemberUnknownAccount");
      await expect(scf.connect(a.pacific).cancelNonce(cancelled.q.nonce)).to.be.revertedWithCustomError(
        scf,
        "ScfNonceUsed",
      );
      await expect(scf.connect(a.glassworks).cancelNonce(1n)).to.be.revertedWithCustomError(
        members,
        "MemberMissingRole",
      );
      expect((await scf.getPiece(root + 1n)).state).to.equal(BigInt(Piece.Held));
    });

    it("test_finance_withRecourseReportsTheSupplierToTheCreditRegistry", async function () {
      const { scf, credit, a, issue, quote, maturity } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      const supplierKey = borrowerKey(key, "USCC", "91990000SYNTH00006");
      const { q, sig } = await quote(root, { recourse: true, supplierKey });
      const price = await scf.priceOf(q);
      await scf.connect(a.glassworks).finance(q, sig);
      const e = await credit.exposureOf(supplierKey);
      expect([e.activeLoans, e.outstanding]).to.deep.equal([1n, price]);
      expect((await scf.getPiece(root)).recourse).to.equal(true);
      await networkHelpers.time.increaseTo(maturity);
      await scf.connect(a.pearl).repay(root);
      await scf.collect(root);
      expect((await credit.exposureOf(supplierKey)).activeLoans).to.equal(0n);
    });
  });

  describe("maturity", function () {
    it("test_repayThenCollect_paysEveryHolderItsFaceOnce", async function () {
      const { scf, cny, a, ids, issue, quote, maturity, outsider, otherCore } =
        await networkHelpers.loadFixture(fixture);
      const root = await issue();
      await scf.connect(a.glassworks).split(root, [60_000_000n, 40_000_000n]);
      await scf.connect(a.glassworks).transfer(root + 1n, a.precision);
      const { q, sig } = await quote(root + 1n);
      await scf.connect(a.precision).finance(q, sig);
      await expect(scf.collect(root))
        .to.be.revertedWithCustomError(scf, "ScfInvalidFamilyState")
        .withArgs(root, Family.Confirmed);
      await expect(scf.connect(a.glassworks).repay(root))
        .to.be.revertedWithCustomError(scf, "MemberMissingRole")
        .withArgs(a.glassworks.address, ids.glassworks, roleIndex("CoreEnterprise"));
      await expect(scf.connect(otherCore).repay(root))
        .to.be.revertedWithCustomError(scf, "ScfNotDebtor")
        .withArgs(ids.pearl, otherCore.address);
      await networkHelpers.time.increaseTo(maturity);
      const ledger = await scf.getAddress();
      await expect(scf.connect(a.pearl).repay(root)).to.changeTokenBalances(
        ethers,
        cny,
        [a.pearl.address, ledger],
        [-FACE, FACE],
      );
      expect((await scf.creditLineOf(ids.pearl)).used).to.equal(0n);
      await expect(scf.connect(a.pearl).repay(root))
        .to.be.revertedWithCustomError(scf, "ScfInvalidFamilyState")
        .withArgs(root, Family.Repaid);
      await expect(scf.connect(outsider).collect(root)).to.changeTokenBalance(ethers, cny, a.glassworks, 60_000_000n);
      await expect(scf.connect(outsider).collect(root + 1n))
        .to.emit(scf, "ReceivableCollected")
        .withArgs(root + 1n, a.pacific.address, 40_000_000n);
      await expect(scf.collect(root))
        .to.be.revertedWithCustomError(scf, "ScfInvalidPieceState")
        .withArgs(root, Piece.Collected);
      expect(await cny.balanceOf(ledger)).to.equal(0n);
    });

    it("test_overdue_markedByAnyoneAfterGraceThenPaidWithPenalty", async function () {
      const { scf, cny, a, issue, maturity, outsider } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      await scf.connect(a.glassworks).split(root, [70_000_000n, 30_000_000n]);
      const dueAt = maturity + 7n * DAY;
      await networkHelpers.time.setNextBlockTimestamp(dueAt);
      await expect(scf.connect(outsider).markOverdue(root))
        .to.be.revertedWithCustomError(scf, "ScfNotOverdue")
        .withArgs(root, dueAt);
      await networkHelpers.time.increaseTo(maturity + 10n * DAY);
      await expect(scf.connect(outsider).markOverdue(root)).to.emit(scf, "FamilyOverdue").withArgs(root);
      await expect(scf.connect(outsider).markOverdue(root))
        .to.be.revertedWithCustomError(scf, "ScfInvalidFamilyState")
        .withArgs(root, Family.Overdue);
      const at = maturity + 10n * DAY + 100n;
      await networkHelpers.time.setNextBlockTimestamp(at);
      const penalty = (FACE * 1_800n * 10n + 10_000n * 365n - 1n) / (10_000n * 365n); // 10 completed days at 18%
      await expect(scf.connect(a.pearl).repay(root))
        .to.emit(scf, "FamilyRepaid")
        .withArgs(root, FACE + penalty, penalty);
      const share0 = 70_000_000n + (70_000_000n * penalty) / FACE;
      const share1 = 30_000_000n + (30_000_000n * penalty) / FACE;
      await expect(scf.collect(root)).to.changeTokenBalance(ethers, cny, a.glassworks, share0);
      await expect(scf.collect(root + 1n)).to.changeTokenBalance(ethers, cny, a.glassworks, share1);
      expect(await cny.balanceOf(await scf.getAddress())).to.equal(FACE + penalty - share0 - share1);
      expect(FACE + penalty - share0 - share1).to.be.lessThan(2n);
    });

    it("test_declareDefault_byTheFinancierReportsTheDebtor", async function () {
      const { scf, credit, a, ids, issue, quote, maturity } = await networkHelpers.loadFixture(fixture);
      const root = await issue();
      await scf.connect(a.glassworks).split(root, [60_000_000n, 40_000_000n]);
      const { q, sig } = await quote(root + 1n);
      await scf.connect(a.glassworks).finance(q, sig);
      const debtorKey = borrowerKey(key, "USCC", "91990000SYNTH00009");
      await expect(scf.connect(a.pacific).declareDefault(root + 1n, debtorKey))
        .to.be.revertedWithCustomError(scf, "ScfInvalidFamilyState")
        .withArgs(root + 1n, Family.Confirmed);
      await networkHelpers.time.increaseTo(maturity + 8n * DAY);
      await scf.markOverdue(root);
      await expect(scf.connect(a.glassworks).declareDefault(root, debtorKey))
        .to.be.revertedWithCustomError(scf, "ScfNotFinancier")
        .withArgs(root, a.glassworks.address);
      await expect(scf.connect(a.pacific).declareDefault(root + 1n, debtorKey))
        .to.emit(scf, "FamilyDefaulted")
        .withArgs(root, ids.pacific);
      const e = await credit.exposureOf(debtorKey);
      expect([e.activeLoans, e.outstanding, e.defaults]).to.deep.equal([1n, FACE, 1n]);
      expect((await scf.getFamily(root)).state).to.equal(BigInt(Family.Defaulted));
      await expect(scf.connect(a.pearl).repay(root))
        .to.be.revertedWithCustomError(scf, "ScfInvalidFamilyState")
        .withArgs(root, Family.Defaulted);
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
        .to.be.revertedWithCustomError(scf, "ScfInvalidFamilyState")
        .withArgs(root, Family.Repaid);
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
        () => scf.connect(a.pearl).repay(root),
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
});
