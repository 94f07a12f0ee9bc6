import { expect } from "chai";
import { network } from "hardhat";

import { connect, deploymentPath, loadDeployment, parseDeployment, tokenFor } from "../../src/deployment.js";

const { ethers } = await network.create();

const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const CNY = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const CREDIT = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";
const SCF = "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9";
const TRADE = "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9";
const CONSENTS = "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707";
const SCORE = "0x0165878A594ca255338adfa4d48449f69242Eb8F";

describe("SDK deployment records", function () {
  it("test_parseDeployment_readsIgnitionAddresses", function () {
    const d = parseDeployment({
      "Tradeline#MemberRegistry": REGISTRY.toLowerCase(),
      "Tradeline#ConsentBook": CONSENTS,
      "Tradeline#CreditRegistry": CREDIT,
      "Tradeline#CreditScore": SCORE.toLowerCase(),
      "Tradeline#ReceivableLedger": SCF,
      "Tradeline#TradeSettlement": TRADE,
      "Tradeline#TokenCNY": CNY,
      "Tradeline#Other": CNY,
    });
    expect(d).to.deep.equal({
      memberRegistry: REGISTRY,
      consentBook: CONSENTS,
      creditRegistry: CREDIT,
      creditScore: SCORE,
      receivableLedger: SCF,
      tradeSettlement: TRADE,
      tokens: { CNY },
    });
  });

  it("test_parseDeployment_rejectsARecordWithoutAModule", function () {
    expect(() => parseDeployment({ "Tradeline#TokenCNY": CNY })).to.throw(/no Tradeline#MemberRegistry/);
    expect(() => parseDeployment({ "Tradeline#MemberRegistry": REGISTRY })).to.throw(/no Tradeline#ConsentBook/);
    expect(() =>
      parseDeployment({
        "Tradeline#MemberRegistry": REGISTRY,
        "Tradeline#ConsentBook": CONSENTS,
        "Tradeline#CreditRegistry": CREDIT,
      }),
    ).to.throw(/no Tradeline#CreditScore/);
  });

  it("test_loadDeployment_explainsAMissingFile", async function () {
    const file = deploymentPath(999_999n, "/nonexistent");
    expect(file).to.equal("/nonexistent/ignition/deployments/chain-999999/deployed_addresses.json");
    let message = "";
    await loadDeployment(file).catch((e: Error) => (message = e.message));
    expect(message).to.match(/no deployment record at .*chain-999999.*ignition deploy/);
  });

  it("test_connect_bindsTypedContractsAndNamesMissingTokens", async function () {
    const [signer] = await ethers.getSigners();
    const contracts = connect(
      {
        memberRegistry: REGISTRY,
        consentBook: CONSENTS,
        creditRegistry: CREDIT,
        creditScore: SCORE,
        receivableLedger: SCF,
        tradeSettlement: TRADE,
        tokens: { CNY },
      },
      signer,
    );
    expect(await contracts.members.getAddress()).to.equal(REGISTRY);
    expect(await contracts.credit.getAddress()).to.equal(CREDIT);
    expect(await contracts.consents.getAddress()).to.equal(CONSENTS);
    expect(await contracts.score.getAddress()).to.equal(SCORE);
    expect(await contracts.scf.getAddress()).to.equal(SCF);
    expect(await tokenFor(contracts, "cny").getAddress()).to.equal(CNY);
    expect(() => tokenFor(contracts, "EUR")).to.throw(/no settlement token for "EUR": deployed are CNY/);
  });
});
