/**
 * A world whose receivable ledger is ready for financing: Pearl (the debtor) has a CNY line of 2,500.00 at Huaxia,
 * Pearl, Pacific and Huaxia hold and have approved 10,000,000.00 CNY, and helpers issue a confirmed receivable to
 * Glassworks (maturing in 90 days) and have a financier sign a quote for a piece. Shared by the review regressions.
 */
import type { NetworkConnection } from "hardhat/types/network";

import { signQuote, type QuoteTerms } from "../../src/eip712.js";
import { invoiceKey } from "../../src/keys.js";
import { ephemeralKey } from "../../scripts/lib/loans.js";
import { deployWorld } from "../../scripts/lib/world.js";

const DAY = 86_400n;
export const FACE = 100_000_000n;
const LINE = 250_000_000n;
const key = ephemeralKey();
let invoices = 0;

export async function ledgerWorld(connection: NetworkConnection, prefix: string) {
  const { ethers, networkHelpers } = connection;
  const invoice = () => invoiceKey(key, ethers.id("TLTESTDEBTOR00000001"), `INV-${prefix}-${++invoices}`, "2026-11-01");
  const world = await deployWorld(connection);
  const { scf, members, credit, tokens } = world.contracts;
  const cny = tokens.CNY;
  const a = world.admins;
  const token = await cny.getAddress();
  await scf.connect(a.pearl).chooseFinancier(token, world.ids.huaxia);
  await scf.connect(a.huaxia).setCreditLine(world.ids.pearl, token, LINE);
  const ledger = await scf.getAddress();
  for (const who of [a.pearl, a.pacific, a.huaxia]) {
    await cny.connect(world.issuer).mint(who, 1_000_000_000n);
    await cny.connect(who).approve(ledger, 1_000_000_000n);
  }
  const maturity = BigInt(await networkHelpers.time.latest()) + 90n * DAY;
  const issue = async (face = FACE, supplier = a.glassworks.address, m = maturity) => {
    const tx = await scf.connect(a.pearl).issue(supplier, token, face, m, [invoice()]);
    const receipt = await tx.wait();
    const parsed = receipt!.logs.map((l) => scf.interface.parseLog(l)).find((e) => e?.name === "ReceivableConfirmed");
    return parsed!.args.id as bigint;
  };
  const quote = async (id: bigint, overrides: Partial<QuoteTerms> = {}, financier = a.pacific) => {
    const now = BigInt(await networkHelpers.time.latest());
    const q: QuoteTerms = {
      id,
      rateBps: 600,
      dayBase: 360,
      recourse: false,
      seller: (await scf.getPiece(id)).holder,
      expiry: now + 3_600n,
      nonce: BigInt(++invoices),
      ...overrides,
    };
    return { q, sig: await signQuote(scf, financier, q) };
  };
  const module = await members.memberForKey(ledger);
  return { world, scf, members, credit, cny, a, ids: world.ids, maturity, token, issue, quote, module };
}
