/**
 * Regressions of the fourteenth adversarial review (of the service, the SDK and the tasks). Each case failed before
 * its fix: the review's proofs of concept asserted the opposite.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { actAs, deployWorld } from "../../scripts/lib/world.js";
import { newSalt } from "../../src/commitments.js";
import { LOAN_CSV_HEADER, inquire, newLoanRef, recordConsent, revokeConsent } from "../../src/credit.js";
import { borrowerKey, readsAsIdNumber } from "../../src/keys.js";
import { register } from "../../tasks/lib/credit.js";
import { failure } from "../helpers/failure.js";

import { flakyProvider, roleToken, startTestService } from "./engines.js";

const connection = await network.create();
const LOAN = {
  borrowerType: "CN-RIC",
  borrowerId: "",
  ref: "",
  product: "ConsumerLoan",
  principal: "5000.00",
  outstanding: "",
  originated: "2026-01-15",
  matures: "2027-01-15",
  salt: "",
  funders: "",
};
const { ethers } = connection;

describe("review 14: the service, the SDK and the tasks", function () {
  let world: Awaited<ReturnType<typeof deployWorld>>;
  before(async function () {
    world = await deployWorld(connection);
  });

  const get = (url: string, token: string, path: string) =>
    fetch(url + path, { headers: { authorization: `Bearer ${token}` } });

  it("R14-1: the report gate asks the chain, so a revoked consent or a suspended lender closes it while the read model lags", async function () {
    const { provider, fail } = flakyProvider(ethers.provider, "eth_getLogs");
    const service = await startTestService(provider, world.deployment, ":memory:", {
      signer: world.admins.quicklend,
      consortiumKey: async () => world.key,
    });
    const { consents, credit, members } = world.contracts;
    try {
      const desk = await roleToken(service, "lender-desk");
      const key = borrowerKey(world.key, "CN-RIC", "110101199003097777");
      const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      const record = (suffix: string) =>
        recordConsent(consents.connect(world.admins.quicklend), {
          borrowerKey: key,
          documentHash: ethers.id(`R14-1 consent ${suffix}`),
          purpose: "NewCredit",
          expiresAt: now + 30n * 86_400n,
          covered: [],
        });
      const first = await record("first");
      await inquire(credit.connect(world.admins.quicklend), key, "NewCredit", first.id);
      await service.caughtUp();
      expect((await get(service.url, desk, `/v1/credit/borrowers/${key}/report`)).status).to.equal(200);

      // The node stops serving logs: the read model stands still while the borrower withdraws its consent.
      fail(true);
      await revokeConsent(consents.connect(world.admins.quicklend), first.id, "WITHDRAWN");
      const revoked = await get(service.url, desk, `/v1/credit/borrowers/${key}/report`);
      expect(revoked.status).to.equal(403);
      const problem = (await revoked.json()) as { detail: string };
      expect(problem.detail).to.match(new RegExp(`under consent ${first.id}: .*ConsentRevoked`));

      // A consent in force again, then the lender suspended: still closed, on the chain's word.
      fail(false);
      const second = await record("second");
      await inquire(credit.connect(world.admins.quicklend), key, "NewCredit", second.id);
      await service.caughtUp();
      expect((await get(service.url, desk, `/v1/credit/borrowers/${key}/report`)).status).to.equal(200);
      fail(true);
      await (
        await members.connect(world.governor).suspend(world.ids.quicklend, ethers.encodeBytes32String("AML"))
      ).wait();
      const suspended = await get(service.url, desk, `/v1/credit/borrowers/${key}/report`);
      expect(suspended.status).to.equal(403);
      expect(((await suspended.json()) as { detail: string }).detail).to.match(/MemberNotActive/);
      await (
        await members.connect(world.governor).reinstate(world.ids.quicklend, ethers.encodeBytes32String("CLEARED"))
      ).wait();
      expect((await get(service.url, desk, `/v1/credit/borrowers/${key}/report`)).status).to.equal(200);
    } finally {
      fail(false);
      await service.stop();
    }
  });

  it("R14-2: a loan file whose reference is a borrower's id number is refused, and nothing reaches the chain", async function () {
    const service = await startTestService(ethers.provider, world.deployment, ":memory:", {
      signer: world.admins.golfo,
      consortiumKey: async () => world.key,
    });
    try {
      const desk = await roleToken(service, "lender-desk");
      const nationalId = "110101199003074514"; // a resident id with its check character: personal data
      const lenderRef = "GF-2026-0042";
      const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
      // The loan_ref and id_number columns swapped, as a spreadsheet export can.
      const csv =
        `${LOAN_CSV_HEADER.join(",")}\n` +
        `${nationalId},CN-RIC,${lenderRef},ConsumerLoan,5000.00,5000.00,${day(-1)},${day(180)},${newSalt()}\n`;
      const before = await ethers.provider.getBlockNumber();
      const res = await fetch(`${service.url}/v1/credit/uploads`, {
        method: "POST",
        headers: { authorization: `Bearer ${desk}`, "content-type": "text/csv" },
        body: csv,
      });
      const body = await res.text();
      expect(res.status, body).to.equal(400);
      expect(body).to.include("reads as a CN-RIC id number").and.not.to.include(nationalId);
      expect(await ethers.provider.getBlockNumber()).to.equal(before);

      // The same through `credit:register`: refused under the reference's own option, before anything is sent.
      const golfo = actAs(world, "golfo", world.key);
      const args = { ...LOAN, borrowerId: lenderRef, ref: nationalId };
      expect(await failure(register(golfo.contracts, args, golfo.session))).to.match(
        /^loan reference \*\*\*\*4514 reads as a CN-RIC id number/,
      );
      expect(await ethers.provider.getBlockNumber()).to.equal(before);
    } finally {
      await service.stop();
    }
  });

  it("R14-2: what reads as an id number, and what does not", function () {
    expect(readsAsIdNumber("110101199003074514")).to.equal("CN-RIC");
    expect(readsAsIdNumber("110101-19900307-4514")).to.equal("CN-RIC"); // as the id columns normalise it
    expect(readsAsIdNumber("110101199003074515")).to.equal(undefined); // wrong check character
    expect(readsAsIdNumber("202611050000012345")).to.equal(undefined); // an 18-digit loan number: no birth date
    expect(readsAsIdNumber("GOMC850101HDFRRR09")).to.equal("MX-CURP");
    expect(readsAsIdNumber("GF-2026-0042")).to.equal(undefined);
    // The columns swapped: the reference reads as the declared type's id, the id number does not.
    expect(() => newLoanRef("110101199003074514", "CN-RIC", "GF-2026-0042")).to.throw(
      /^loan reference \*\*\*\*4514 reads as a CN-RIC id number and the borrower's id number does not: are the loan_ref and id_number columns swapped\?/,
    );
    // The borrower's own id as the reference, however it is written, of any id type.
    expect(() => newLoanRef("110101-19900307-4514", "CN-RIC", "110101199003074514")).to.throw(
      /^loan reference \*\*\*\*4514 is the borrower's id number/,
    );
    expect(() => newLoanRef("E12345678", "PASSPORT", "e 1234 5678")).to.throw(/is the borrower's id number/);
    expect(newLoanRef("GF-2026-0042", "CN-RIC", "110101199003074514")).to.equal(
      ethers.encodeBytes32String("GF-2026-0042"),
    );
  });

  it("R15-3: a lender's own 18-digit reference (branch, loan date, sequence) is taken beside a well-formed id number", function () {
    // One sequence number in eleven ends in the MOD 11-2 character of its first 17 digits: each reads as a CN-RIC.
    const refs = [...Array(200).keys()].map((seq) => `31011520261115${String(seq + 1).padStart(4, "0")}`);
    const shaped = refs.filter((ref) => readsAsIdNumber(ref) === "CN-RIC");
    expect(shaped.length).to.be.greaterThan(5);
    for (const ref of shaped) {
      expect(newLoanRef(ref, "CN-RIC", "110101199003074514")).to.equal(ethers.encodeBytes32String(ref));
      expect(newLoanRef(ref, "PASSPORT", "E12345678")).to.equal(ethers.encodeBytes32String(ref));
    }
  });
});
