import { expect } from "chai";
import { convert } from "xmlbuilder2";
import { network } from "hardhat";
import pino from "pino";

import { loanStatusName } from "../../src/credit.js";
import { tokenFor } from "../../src/deployment.js";
import { formatReceivable, parseReceivable } from "../../src/scf.js";
import { ORDER_STATES, formatUetr } from "../../src/trade.js";
import { runDemo } from "../../scripts/lib/demo-world.js";
import { actAs } from "../../scripts/lib/world.js";
import * as scf from "../../tasks/lib/scf.js";
import { deployWorld } from "../../scripts/lib/world.js";
import { createToken, parseRoles } from "../../service/auth.js";
import { startService } from "../../service/server.js";

import { engines, startTestService } from "./engines.js";

const connection = await network.create();
const { ethers } = connection;

/** Every row of a list, a page of one row at a time, following its Link headers to the end. */
async function everyPage(
  get: (path: string, token: string) => Promise<Response>,
  path: string,
  token: string,
): Promise<unknown[]> {
  const rows: unknown[] = [];
  for (let next: string | null = `${path}${path.includes("?") ? "&" : "?"}pageSize=1`; next !== null; ) {
    const res = await get(next, token);
    expect(res.status, next).to.equal(200);
    const page = (await res.json()) as unknown[];
    expect(page).to.have.length(1);
    rows.push(...page);
    const link = res.headers.get("link");
    next = link === null ? null : /^<([^>]+)>; rel="next"$/.exec(link)![1];
  }
  return rows;
}

describe("service HTTP API on the demo world", function () {
  let world: Awaited<ReturnType<typeof deployWorld>>;
  before(async function () {
    world = await deployWorld(connection);
    await runDemo(world, connection, () => {});
    // Two receivables Pearl confirms, past their maturity and grace: one marked overdue by anyone (a stranger
    // here), one due but unmarked. The overdue list must show both.
    const pearl = actAs(world, "pearl", world.key);
    const latest = (await ethers.provider.getBlock("latest"))!.timestamp;
    const day = (offset: number) => new Date((latest + offset * 86_400) * 1000).toISOString().slice(0, 10);
    for (const n of [1, 2]) {
      const lines = await scf.issue(
        pearl.contracts,
        {
          supplier: world.admins.glassworks.address,
          debtor: "",
          face: "1000.00",
          currency: "CNY",
          maturity: day(2),
          invoices: `PRA-LATE-${n}`,
          issueDate: day(-1),
        },
        pearl.session,
      );
      overdueRoots.push(parseReceivable(/^issued (R\d+\.0) /.exec(lines[0])![1]));
    }
    const f = await world.contracts.scf.getFamily(overdueRoots[1]);
    await connection.networkHelpers.time.increaseTo(f.maturity + f.graceSeconds + 3n * 86_400n);
    await (await world.contracts.scf.connect(world.outsiders[0]).markOverdue(overdueRoots[0])).wait();
  });
  const overdueRoots: bigint[] = [];
  for (const store of engines()) {
    after(() => store.cleanup());
    it(`test_readEndpoints_answerFromTheReadModel_withinTheTokensRoles (${store.name})`, async function () {
      const chainId = Number((await ethers.provider.getNetwork()).chainId);
      const service = await startTestService(ethers.provider, world.deployment, await store.fresh());
      try {
        await service.caughtUp();
        const db = service.database.db;
        const regulator = (await createToken(db, "regulator", parseRoles("regulator"))).token;
        const desk = (await createToken(db, "desk", parseRoles("lender-desk"))).token;
        const get = (path: string, token: string) =>
          fetch(service.url + path, { headers: { authorization: `Bearer ${token}` } });

        const flags = (await (await get("/v1/regulator/flags", regulator)).json()) as {
          borrowerKey: string;
          limit: string;
        }[];
        expect(flags.length).to.be.greaterThan(0);
        const refused = await get("/v1/regulator/flags", desk);
        expect(refused.status).to.equal(403);
        expect(((await refused.json()) as { detail: string }).detail).to.include("regulator");

        const key = flags[0].borrowerKey;
        const exposure = (await (await get(`/v1/credit/borrowers/${key}/exposure`, desk)).json()) as Record<
          string,
          unknown
        >;
        const chain = await world.contracts.credit.exposureOf(key);
        expect([
          exposure.activeLoans,
          exposure.activeLenders,
          exposure.outstanding,
          exposure.defaults,
          exposure.inquiries,
        ]).to.deep.equal([
          Number(chain.activeLoans),
          Number(chain.activeLenders),
          chain.outstanding.toString(),
          Number(chain.defaults),
          Number(chain.inquiries),
        ]);
        expect((exposure.history as unknown[]).length).to.be.greaterThan(1);

        const bad = await get("/v1/credit/borrowers/0x1234/exposure", desk);
        expect(bad.status).to.equal(400);
        expect(bad.headers.get("content-type")).to.equal("application/problem+json");
        expect(((await bad.json()) as { errors: { pointer: string }[] }).errors[0].pointer).to.equal("/borrowerKey");

        const tree = (await (await get("/v1/scf/receivables/R1.2/family", regulator)).json()) as {
          root: string;
          pieces: { id: string; parent: string | null; holder: number }[];
        };
        expect(tree.root).to.equal("R1.0");
        expect(tree.pieces.map((p) => [p.id, p.parent])).to.deep.equal([
          ["R1.0", null],
          ["R1.1", "R1.0"],
          ["R1.2", "R1.1"],
        ]);
        for (const p of tree.pieces) {
          const onChain = await world.contracts.scf.getPiece(
            (BigInt(p.id.slice(1).split(".")[0]) << 24n) | BigInt(p.id.split(".")[1]),
          );
          expect(BigInt(p.holder)).to.equal(onChain.holder);
        }
        expect((await get("/v1/scf/receivables/R9.0/family", regulator)).status).to.equal(404);
        expect((await get("/v1/scf/receivables/R1.99/family", regulator)).status).to.equal(404);
        // A key in upper case is the same borrower, not a clean one.
        const upper = (await (
          await get(`/v1/credit/borrowers/0x${key.slice(2).toUpperCase()}/exposure`, desk)
        ).json()) as {
          activeLoans: number;
        };
        expect(upper.activeLoans).to.equal(Number(chain.activeLoans));
        const malformed = await get("/v1/scf/receivables/R1.x/family", regulator);
        expect(malformed.status).to.equal(400);
        expect((await get("/v1/regulator/flags?from=10000000000000000000", regulator)).status).to.equal(400);
        const huge = await fetch(service.url + "/v1/members", {
          method: "POST",
          headers: { authorization: `Bearer ${regulator}`, "content-type": "application/json" },
          body: JSON.stringify({ pad: "x".repeat(2 * 1024 * 1024) }),
        });
        expect(huge.status).to.equal(413);
        expect(((await huge.json()) as { title: string }).title).to.equal("The request body is too large");
        // A second service on the same port fails to start, with the reason, and leaves nothing running.
        const port = Number(new URL(service.url).port);
        const second = await startService({
          provider: ethers.provider,
          chainId,
          deployment: world.deployment,
          fromBlock: 0,
          databaseUrl: ":memory:",
          dataDir: "",
          port,
          logger: pino({ level: "silent" }),
        }).then(
          () => "started",
          (err: unknown) => String(err),
        );
        expect(second).to.equal(`Error: 127.0.0.1:${port} is already in use: choose --port`);
      } finally {
        await service.stop();
      }
    });

    it(`test_lists_matchTheChain_andExportAsCsv (${store.name})`, async function () {
      const service = await startTestService(ethers.provider, world.deployment, await store.fresh());
      try {
        await service.caughtUp();
        const db = service.database.db;
        const regulator = (await createToken(db, "regulator", parseRoles("regulator"))).token;
        const scfDesk = (await createToken(db, "scf", parseRoles("supply-chain-desk"))).token;
        const exporter = (await createToken(db, "exporter", parseRoles("exporter"))).token;
        const get = (path: string, token: string) =>
          fetch(service.url + path, { headers: { authorization: `Bearer ${token}` } });

        // Pages of one flag follow their Link headers to the end: every flag once, newest first.
        const everyFlag = (await (await get("/v1/regulator/flags", regulator)).json()) as { txHash: string }[];
        expect(everyFlag.length).to.be.greaterThan(1);
        expect(await everyPage(get, "/v1/regulator/flags", regulator)).to.deep.equal(everyFlag);
        expect((await get("/v1/regulator/flags?cursor=bm9wZQ", regulator)).status).to.equal(400);
        const flagsCsv = await (await get("/v1/regulator/flags?format=csv&pageSize=1", regulator)).text();
        expect(flagsCsv.trim().split("\n")).to.have.length(everyFlag.length + 1);

        // A flagged borrower's whole history, each loan as the chain holds it, each inquiry with who looked.
        const flags = (await (await get("/v1/regulator/flags", regulator)).json()) as { borrowerKey: string }[];
        const key = flags[0].borrowerKey;
        expect((await get(`/v1/regulator/borrowers/${key}/history`, exporter)).status).to.equal(403);
        const history = (await (await get(`/v1/regulator/borrowers/${key}/history`, regulator)).json()) as {
          loans: { loanId: string; status: string; outstanding: string; lender: number }[];
          inquiries: { lender: number; consentId: string | null; consent: { id: string } | null }[];
        };
        const registered = await world.contracts.credit.queryFilter(
          world.contracts.credit.filters.LoanRegistered(undefined, key),
        );
        expect(history.loans.map((l) => l.loanId)).to.have.members(registered.map((e) => e.args.id));
        for (const l of history.loans) {
          const onChain = await world.contracts.credit.getLoan(l.loanId);
          expect([l.status, l.outstanding, BigInt(l.lender)]).to.deep.equal([
            loanStatusName(onChain.status),
            onChain.outstanding.toString(),
            onChain.lender,
          ]);
        }
        const inquired = await world.contracts.credit.queryFilter(world.contracts.credit.filters.CreditInquired());
        const mine = inquired.filter((e) => e.args.borrowerKey === key);
        expect(history.inquiries.map((i) => i.consentId)).to.deep.equal(mine.map((e) => e.args.consent));
        // Each inquiry shows the consent book's record of the consent it relied on.
        expect(history.inquiries.map((i) => i.consent?.id)).to.deep.equal(mine.map((e) => e.args.consent));
        const csv = await get(`/v1/regulator/borrowers/${key}/history?format=csv&part=loans`, regulator);
        expect(csv.headers.get("content-type")).to.equal("text/csv; charset=utf-8");
        const lines = (await csv.text()).trim().split("\n");
        expect(lines[0]).to.equal(
          "loanId,lender,reporter,kind,status,principal,outstanding,originationDay,maturityDay,commitment,registeredAt," +
            "aprBps,plan,bucket,daysPastDue,negativeExpiredAt",
        );
        expect(lines).to.have.length(history.loans.length + 1);

        // The overdue list: the family marked overdue, and the one due past its grace but not marked.
        const overdue = (await (await get("/v1/scf/receivables/overdue", regulator)).json()) as {
          root: string;
          state: string;
          daysPastDue: number;
        }[];
        const expected = [];
        for (const root of overdueRoots) {
          const f = await world.contracts.scf.getFamily(root);
          expected.push([formatReceivable(root), ["None", "Requested", "Confirmed", "Overdue"][Number(f.state)]]);
        }
        expect(overdue.map((o) => [o.root, o.state])).to.have.deep.members(expected);
        expect(expected.map((e) => e[1])).to.include.members(["Overdue", "Confirmed"]);
        expect(overdue.every((o) => o.daysPastDue >= 3)).to.equal(true);
        expect(await everyPage(get, "/v1/scf/receivables/overdue", regulator)).to.deep.equal(overdue);
        const overdueCsv = await (await get("/v1/scf/receivables/overdue?format=csv", scfDesk)).text();
        expect(overdueCsv.trim().split("\n")).to.have.length(overdue.length + 1);

        // Receivables by holder: each piece held by that member on the chain.
        const holder = Number(world.ids[Object.keys(world.ids)[0]]);
        for (const who of Object.values(world.ids)) {
          const pieces = (await (await get(`/v1/scf/receivables?holder=${who}`, scfDesk)).json()) as { id: string }[];
          for (const p of pieces)
            expect((await world.contracts.scf.getPiece(parseReceivable(p.id))).holder).to.equal(who);
        }
        expect(holder).to.be.greaterThan(0);
        const all = (await (await get("/v1/scf/receivables", scfDesk)).json()) as { id: string }[];
        expect(all.length).to.be.greaterThan(2);
        const first = await get("/v1/scf/receivables?pageSize=2", scfDesk);
        const link = /^<([^>]+)>; rel="next"$/.exec(first.headers.get("link")!)![1];
        const second = (await (await get(link, scfDesk)).json()) as { id: string }[];
        expect([...((await first.json()) as { id: string }[]), ...second].map((p) => p.id)).to.deep.equal(
          all.slice(0, 4).map((p) => p.id),
        );
        expect((await get("/v1/scf/receivables?state=Lost", scfDesk)).status).to.equal(400);

        // Trade: the demo's order as the chain holds it, each payment as its TranchePaid event, its pacs.008 in XML.
        const tradeDesk = (await createToken(db, "exporter desk", parseRoles("exporter"))).token;
        expect((await get("/v1/trade/orders", scfDesk)).status).to.equal(403);
        const orders = (await (await get("/v1/trade/orders", tradeDesk)).json()) as { id: string; state: string }[];
        expect(orders.length).to.be.greaterThan(0);
        expect(orders.map((o) => Number(o.id))).to.deep.equal(orders.map((o) => Number(o.id)).sort((a, b) => b - a));
        expect(await everyPage(get, "/v1/trade/orders", tradeDesk)).to.deep.equal(orders);
        for (const o of orders) {
          expect(o.state).to.equal(ORDER_STATES[Number((await world.contracts.trade.getOrder(BigInt(o.id))).state)]);
        }
        // Whether an order left its financier's advance open, as the chain says, in the order and as a filter.
        const advanceOpen = await Promise.all(
          orders.map(async (o) => (await world.contracts.trade.getOrder(BigInt(o.id))).advanceOpen),
        );
        for (const [i, o] of orders.entries()) {
          const detail = (await (await get(`/v1/trade/orders/${o.id}`, tradeDesk)).json()) as { advanceOpen: boolean };
          expect(detail.advanceOpen, `order ${o.id}`).to.equal(advanceOpen[i]);
        }
        for (const flag of [true, false]) {
          const listed = (await (await get(`/v1/trade/orders?advanceOpen=${flag}`, tradeDesk)).json()) as {
            id: string;
          }[];
          expect(listed.map((o) => o.id)).to.deep.equal(
            orders.filter((_, i) => advanceOpen[i] === flag).map((o) => o.id),
          );
        }
        expect((await get("/v1/trade/orders?advanceOpen=yes", tradeDesk)).status).to.equal(400);
        // Each order names its currencies by code, the tokens' own; the currencies are the deployment's tokens.
        const coded = orders as unknown as {
          id: string;
          documentHash: string;
          payToken: string;
          payoutToken: string;
          currency: string;
          payoutCurrency: string;
        }[];
        const created = await world.contracts.trade.queryFilter(world.contracts.trade.filters.OrderCreated());
        for (const o of coded) {
          const event = created.find((e) => String(e.args.id) === o.id);
          expect(o.documentHash).to.equal(event?.args.documentHash);
          expect([o.payToken, o.payoutToken]).to.deep.equal([
            await tokenFor(world.contracts, o.currency).getAddress(),
            await tokenFor(world.contracts, o.payoutCurrency).getAddress(),
          ]);
        }
        const currencies = (await (await get("/v1/trade/currencies", tradeDesk)).json()) as {
          code: string;
          token: string;
          decimals: number;
        }[];
        expect(currencies.map((c) => [c.code, c.token])).to.deep.equal(
          Object.entries(world.deployment.tokens).sort(([a], [b]) => a.localeCompare(b)),
        );
        expect(currencies.find((c) => c.code === "MXN")?.decimals).to.equal(2);
        expect((await get("/v1/trade/currencies", scfDesk)).status).to.equal(403);
        const paid = await world.contracts.trade.queryFilter(world.contracts.trade.filters.TranchePaid());
        expect(paid.length).to.be.greaterThan(0);
        const orderId = String(paid[0].args.id);
        const order = (await (await get(`/v1/trade/orders/${orderId}`, tradeDesk)).json()) as {
          payments: { uetr: string; payout: string; fxProvider: string; quoteNonce: string }[];
          trancheDetails: { settled: boolean; awaiting: string[] }[];
          evidence: { kind: string; signatures: number; needed: number; complete: boolean }[];
        };
        const events = paid.filter((e) => String(e.args.id) === orderId);
        expect(order.payments.map((p) => [p.uetr, p.payout, p.fxProvider, p.quoteNonce])).to.deep.equal(
          events.map((e) => [e.args.uetr, e.args.payout.toString(), e.args.fxProvider, e.args.quoteNonce.toString()]),
        );
        expect(order.trancheDetails.filter((t) => t.settled).length).to.equal(events.length);
        expect(order.evidence.filter((k) => k.complete).every((k) => k.signatures >= k.needed)).to.equal(true);
        expect((await get("/v1/trade/orders/999999", tradeDesk)).status).to.equal(404);
        expect((await get("/v1/trade/orders/x1", tradeDesk)).status).to.equal(400);
        const uetr = String(events[0].args.uetr);
        const json = (await (await get(`/v1/trade/payments/${uetr}/pacs008`, tradeDesk)).json()) as {
          CdtTrfTxInf: { PmtId: { UETR: string }; IntrBkSttlmAmt: { value: string } };
        };
        expect(json.CdtTrfTxInf.PmtId.UETR).to.equal(formatUetr(uetr));
        const xml = await get(`/v1/trade/payments/${formatUetr(uetr)}/pacs008?format=xml`, tradeDesk);
        expect(xml.headers.get("content-type")).to.equal("application/xml; charset=utf-8");
        const doc = convert(await xml.text(), { format: "object" }) as {
          Document: {
            FIToFICstmrCdtTrf: { CdtTrfTxInf: { PmtId: { UETR: string }; IntrBkSttlmAmt: { "#": string } } };
          };
        };
        const tx = doc.Document.FIToFICstmrCdtTrf.CdtTrfTxInf;
        expect([tx.PmtId.UETR, tx.IntrBkSttlmAmt["#"]]).to.deep.equal([
          formatUetr(uetr),
          json.CdtTrfTxInf.IntrBkSttlmAmt.value,
        ]);
        expect((await get(`/v1/trade/payments/0x${"00".repeat(16)}/pacs008`, tradeDesk)).status).to.equal(404);
        const disputed = (await (await get("/v1/regulator/orders/disputed", regulator)).json()) as unknown[];
        const onChainDisputed = [];
        for (const o of orders) {
          if ((await world.contracts.trade.getOrder(BigInt(o.id))).state === 4n) onChainDisputed.push(o.id);
        }
        expect(disputed.length).to.equal(onChainDisputed.length);

        // Balances: each as the token's own view.
        const balances = (await (await get("/v1/balances", regulator)).json()) as {
          currency: string;
          account: string;
          balance: string;
        }[];
        expect(balances.length).to.be.greaterThan(3);
        expect(await everyPage(get, "/v1/balances", regulator)).to.deep.equal(balances);
        for (const b of balances) {
          const token = tokenFor(world.contracts, b.currency);
          expect(b.balance).to.equal((await token.balanceOf(b.account)).toString());
        }
        const one = balances[0];
        const filtered = (await (
          await get(`/v1/balances?account=${one.account.toLowerCase()}`, regulator)
        ).json()) as unknown[];
        expect(filtered.length).to.be.greaterThan(0);
      } finally {
        await service.stop();
      }
    });
  }
});
