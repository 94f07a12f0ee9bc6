/**
 * Configuration variables as the tasks read them (`readConfigVariableWithSource`): the environment first, then the
 * keystore; a keystore that does not hold the key leaves an optional variable unset instead of stopping the task
 * (the development keystore refuses a missing key with HHE50002, which stopped every `serve` of `make up` once the
 * optional webhook key was read).
 */
import { expect } from "chai";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { readConfigVariableWithSource } from "../../tasks/lib/session.js";

/** A runtime whose configuration-variable hook answers `answer` or throws it. */
function runtime(answer: string | Error): HardhatRuntimeEnvironment {
  const fetch = async () => {
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { hooks: { runHandlerChain: fetch } } as unknown as HardhatRuntimeEnvironment;
}

describe("configuration variables", function () {
  const NAME = "TRADELINE_TEST_OPTIONAL_VARIABLE";
  afterEach(() => delete process.env[NAME]);

  it("test_readConfigVariable_environmentFirst_thenKeystore_andAKeyTheKeystoreLacksIsUnset", async function () {
    process.env[NAME] = "from-env";
    expect(await readConfigVariableWithSource(runtime("from-keystore"), NAME)).to.deep.equal({
      value: "from-env",
      source: `${NAME} from the environment`,
    });
    delete process.env[NAME];
    expect((await readConfigVariableWithSource(runtime("from-keystore"), NAME)).value).to.equal("from-keystore");
    expect((await readConfigVariableWithSource(runtime(""), NAME)).value).to.equal(undefined);
    const missing = new Error(
      `HHE50002: Key "${NAME}" not found in the development keystore. Run "npx hardhat keystore set ${NAME} --dev" to set it.`,
    );
    expect((await readConfigVariableWithSource(runtime(missing), NAME)).value).to.equal(undefined);
  });

  it("test_readConfigVariable_anyOtherKeystoreFailure_isRaised", async function () {
    const broken = new Error("HHE50001: the keystore file is corrupted");
    let thrown: unknown;
    await readConfigVariableWithSource(runtime(broken), NAME).catch((err: unknown) => (thrown = err));
    expect(thrown).to.equal(broken);
  });
});
