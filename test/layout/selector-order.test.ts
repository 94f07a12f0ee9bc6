import { expect } from "chai";

import { MemberRegistry__factory } from "../../typechain-types/index.js";

/**
 * solc's IR dispatcher compares a call's selector with the contract's selectors one by one, in ascending order, 22 gas
 * each (docs/gas.md). The member registry's views that the modules call on every operation are named so that their
 * selectors sort first; a new registry function whose selector sorts before them would make every module call dearer.
 */
describe("selector order: the member registry's hot views come first", () => {
  const HOT = [
    "memberEpoch",
    "activeInRole",
    "payoutAccountFor",
    "requireKeyInRole",
    "isActiveKey",
    "requireActiveMember",
    "memberForKey",
  ];

  it("the seven views the modules call are among the registry's first nine selectors", () => {
    const iface = MemberRegistry__factory.createInterface();
    const order: string[] = [];
    iface.forEachFunction((f) => order.push(`${f.selector}:${f.name}`));
    order.sort();
    const names = order.map((e) => e.split(":")[1]);
    for (const name of HOT) {
      expect(names.indexOf(name), `${name} in ${names.slice(0, 12).join(", ")}`).to.be.within(0, 8);
    }
    expect(names[0]).to.equal("memberEpoch", "the token asks the epoch on every transfer");
  });
});
