import { expect } from "chai";
import { network } from "hardhat";

import { DEFAULT_SCORECARD } from "../../src/credit.js";
import { decodeCode } from "../../src/encoding.js";
import { ConsortiumKey, keyCheck } from "../../src/keys.js";
import { roleIndex, verifiedConsortiumKey } from "../../src/members.js";
import { MemberRegistry__factory } from "../../typechain-types/index.js";
import { failure } from "../helpers/failure.js";
import { CAST } from "../../scripts/lib/cast.js";
import { deployWorld } from "../../scripts/lib/world.js";

const connection = await network.create();

describe("Ignition deployment (end to end)", function () {
  it("test_deploy_wiresRegistryTokensIssuerAndModules", async function () {
    const world = await deployWorld(connection);
    const { members, tokens } = world.contracts;
    expect(Object.keys(tokens)).to.deep.equal(["CNY", "USD", "MXN"]);
    for (const [code, token] of Object.entries(tokens)) {
      expect(decodeCode(await token.currency())).to.equal(code);
      expect(await token.memberRegistry()).to.equal(await members.getAddress());
    }
    expect(await members.governor()).to.equal(world.governor.address);
    expect(await members.keyCheck()).to.equal(keyCheck(world.key));
    expect(await members.activeInRole(world.issuer.address, roleIndex("TokenIssuer"))).to.equal(true);
    expect(await members.memberCount()).to.equal(BigInt(3 + CAST.length));
    const { credit } = world.contracts;
    expect(await credit.memberRegistry()).to.equal(await members.getAddress());
    expect(decodeCode(await credit.reportingCurrency())).to.equal("CNY");
    expect((await credit.policy()).maxLenders).to.equal(3n);
    // Consumer credit: APR capped at 36 % (China's judicial ceiling) in the policy's mode, 15 days of grace.
    expect((await credit.policy()).maxAprBps).to.equal(3_600n);
    expect((await credit.policy()).graceDays).to.equal(15n);
    // The consent book checks every inquiry; the score reads this registry under the published scorecard.
    const { consents, score } = world.contracts;
    expect(await credit.consentBook()).to.equal(await consents.getAddress());
    expect(await consents.memberRegistry()).to.equal(await members.getAddress());
    expect(await score.creditRegistry()).to.equal(await credit.getAddress());
    const card = await score.scorecard();
    expect(card.base).to.equal(BigInt(DEFAULT_SCORECARD.base));
    expect(card.attributes.map((a) => [a.edges.map(Number), a.points.map(Number)])).to.deep.equal(
      DEFAULT_SCORECARD.attributes.map((a) => [a.edges, a.points]),
    );

    // The receivable ledger and the trade settlement are Reporter members of their own, and system accounts of
    // every token, so they can hold escrow and report exposures.
    const { scf, trade } = world.contracts;
    for (const module of [scf, trade]) {
      const address = await module.getAddress();
      expect(await members.activeInRole(address, roleIndex("Reporter"))).to.equal(true);
      for (const token of Object.values(tokens)) expect(await token.isSystemAccount(address)).to.equal(true);
    }
    expect(await trade.creditRegistry()).to.equal(await credit.getAddress());
    expect(await trade.arbiterWindow()).to.equal(14n * 86_400n);
    for (const kind of [0, 1, 2, 3]) expect(await trade.evidenceThreshold(kind)).to.equal(1n);

    // The issuer admitted by the module can mint to a cast member, and an outsider cannot receive.
    const glassworks = world.admins.glassworks;
    await tokens.CNY.connect(world.issuer).mint(glassworks, 1_000n);
    expect(await tokens.CNY.balanceOf(glassworks)).to.equal(1_000n);
    await expect(tokens.CNY.connect(glassworks).transfer(world.outsiders[0], 1n)).to.be.revertedWithCustomError(
      tokens.CNY,
      "SettlementHolderNotEligible",
    );
  });

  it("test_consortiumKey_isCheckedAgainstTheDeploymentsKeyCheck_beforeAnythingIsSent", async function () {
    const good = `0x${"c3".repeat(32)}`;
    const world = await deployWorld(connection, undefined, ConsortiumKey.forNewDeployment(good));
    const { members } = world.contracts;
    await verifiedConsortiumKey(members, good);
    const count = await members.memberCount();
    expect(await failure(verifiedConsortiumKey(members, `0x${"3c".repeat(32)}`))).to.match(
      /^consortium key mismatch: this deployment's key check is 0x[0-9a-f]{8}…, the configured/,
    );
    expect(await failure(verifiedConsortiumKey(members, "0x"))).to.match(/^consortium key malformed/);
    expect(await members.memberCount()).to.equal(count);
    // The error names where the key came from, when the caller knows it.
    expect(
      await failure(
        verifiedConsortiumKey(members, `0x${"3c".repeat(32)}`, "TRADELINE_CONSORTIUM_KEY from the environment"),
      ),
    ).to.match(/, TRADELINE_CONSORTIUM_KEY from the environment gives 0x[0-9a-f]{8}…; /);
  });

  it("test_verifiedConsortiumKey_tellsAMissingRegistryFromAnOldOne", async function () {
    const world = await deployWorld(connection);
    const governor = world.governor;
    // A deployment record naming an address with no code (another chain's record): not "redeploy".
    const nowhere = MemberRegistry__factory.connect(`0x${"00".repeat(19)}99`, governor);
    expect(await failure(verifiedConsortiumKey(nowhere, `0x${"c3".repeat(32)}`))).to.match(
      /^no contract at 0x0{38}99 on chain 31337: the deployment record names a member registry this chain does not have/,
    );
    // A contract without keyCheck (a registry deployed before it existed; here a token stands in for one).
    const old = MemberRegistry__factory.connect(await world.contracts.tokens.CNY.getAddress(), governor);
    expect(await failure(verifiedConsortiumKey(old, `0x${"c3".repeat(32)}`))).to.match(
      /^the member registry at 0x[0-9a-fA-F]{40} publishes no consortium key check \(it was deployed before keyCheck existed\)/,
    );
  });
});
