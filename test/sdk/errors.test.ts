import { expect } from "chai";
import { network } from "hardhat";
import { AbiCoder, concat, id } from "ethers";

import { jurisdictionCode, legalIdHash, reasonCode } from "../../src/encoding.js";
import { decodeError, decodeRevertData, describeError } from "../../src/errors.js";
import { roleIndex, roleMask } from "../../src/members.js";
import { TEST_KEY_CHECK, testEntityKey } from "../helpers/entity.js";

const { ethers } = await network.create();

describe("SDK error decoding", function () {
  it("test_decodeError_rendersEnumsAndCodesFromARealRevert", async function () {
    const [governor, admin] = await ethers.getSigners();
    const registry = await ethers.deployContract("MemberRegistry", [governor.address, TEST_KEY_CHECK]);
    await registry.admit(
      legalIdHash("TLHUAXIABANK00000002"),
      testEntityKey(legalIdHash("TLHUAXIABANK00000002")),
      jurisdictionCode("CN"),
      roleMask(["Lender"]),
      admin,
    );
    await registry.suspend(1, reasonCode("test"));

    const err = await registry.requireKeyInRole(admin.address, roleIndex("Lender")).catch((e: unknown) => e);
    const decoded = decodeError(err);
    expect(decoded?.name).to.equal("MemberNotActive");
    expect(decoded?.args).to.deep.equal({ account: admin.address, id: "1", status: "Suspended" });
    expect(describeError(err)).to.equal(`reverted: MemberNotActive(account=${admin.address}, id=1, status=Suspended)`);

    const err2 = await registry
      .admit(
        legalIdHash("TLNEW00000000000009"),
        testEntityKey(legalIdHash("TLNEW00000000000009")),
        "0x6e6e",
        1,
        governor,
      )
      .catch((e: unknown) => e);
    expect(decodeError(err2)?.message).to.equal("MemberInvalidJurisdiction(jurisdiction=0x6e6e)");
    const err3 = await registry
      .admit(
        legalIdHash("TLNEW00000000000009"),
        testEntityKey(legalIdHash("TLNEW00000000000009")),
        jurisdictionCode("MX"),
        0,
        governor,
      )
      .catch((e: unknown) => e);
    expect(decodeError(err3)?.message).to.equal("MemberInvalidRoles(roles=0)");
  });

  it("test_decodeRevertData_handlesErrorStringAndPanic", function () {
    const coder = AbiCoder.defaultAbiCoder();
    const errorString = concat(["0x08c379a0", coder.encode(["string"], ["boom"])]);
    expect(decodeRevertData(errorString)?.message).to.equal("Error: boom");
    const panic = concat(["0x4e487b71", coder.encode(["uint256"], [0x11])]);
    expect(decodeRevertData(panic)?.message).to.equal("Panic(0x11): arithmetic overflow or underflow");
  });

  it("test_decodeError_returnsUndefinedForUnknownRevertsAndFallsBack", function () {
    const unknown = id("NotOurs()").slice(0, 10);
    expect(decodeRevertData(unknown)).to.equal(undefined);
    expect(decodeError(new Error("plain"))).to.equal(undefined);
    expect(describeError(new Error("plain"))).to.equal("plain");
    expect(describeError("text")).to.equal("text");
  });
});
