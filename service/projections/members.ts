/** Members, their operators and their settlement-token balances, from the member registry's and tokens' events. */
import { statusName } from "../../src/members.js";
import type { Db, Decoded, Projection } from "../projections.js";

const text = (v: unknown) => String(v);
const jurisdiction = (hex: unknown) => Buffer.from(String(hex).slice(2), "hex").toString("latin1");

export const members: Projection = {
  tables: ["members", "member_operators"],
  async apply(trx: Db, e: Decoded) {
    if (e.contract !== "MemberRegistry") return;
    const a = e.args;
    const where = { chain_id: e.chainId, id: Number(a.id) };
    const update = (set: Record<string, unknown>) =>
      trx.updateTable("members").set(set).where("chain_id", "=", where.chain_id).where("id", "=", where.id).execute();
    switch (e.name) {
      case "MemberAdmitted":
        await trx
          .insertInto("members")
          .values({
            ...where,
            legal_id_hash: text(a.legalIdHash),
            jurisdiction: jurisdiction(a.jurisdiction),
            roles: Number(a.roles),
            status: "Active",
            admin: text(a.admin),
            payout: null,
            admitted_block: e.blockNumber,
          })
          .execute();
        return;
      case "MemberStatusChanged":
        return void (await update({ status: statusName(Number(a.to)) }));
      case "MemberRolesChanged":
        return void (await update({ roles: Number(a.roles) }));
      case "MemberAdminChanged":
        return void (await update({ admin: text(a.admin) }));
      case "PayoutAccountSet":
        return void (await update({ payout: text(a.account) }));
      case "OperatorAdded":
        await trx
          .insertInto("member_operators")
          .values({ chain_id: e.chainId, operator: text(a.operator), member_id: Number(a.id) })
          .execute();
        return;
      case "OperatorRemoved":
        await trx
          .deleteFrom("member_operators")
          .where("chain_id", "=", e.chainId)
          .where("operator", "=", text(a.operator))
          .execute();
        return;
    }
  },
};

export const balances: Projection = {
  tables: ["balances"],
  async apply(trx: Db, e: Decoded) {
    if (!e.contract.startsWith("Token")) return;
    const currency = e.contract.slice("Token".length);
    const a = e.args;
    const row = (account: string) =>
      trx
        .selectFrom("balances")
        .select(["balance", "frozen"])
        .where("chain_id", "=", e.chainId)
        .where("currency", "=", currency)
        .where("account", "=", account)
        .executeTakeFirst();
    const put = async (account: string, change: { delta?: bigint; frozen?: boolean }) => {
      const now = await row(account);
      const balance = (BigInt(now?.balance ?? "0") + (change.delta ?? 0n)).toString();
      const frozen = change.frozen === undefined ? (now?.frozen ?? 0) : change.frozen ? 1 : 0;
      await trx
        .insertInto("balances")
        .values({ chain_id: e.chainId, currency, token: e.address, account, balance, frozen })
        .onConflict((c) => c.columns(["chain_id", "currency", "account"]).doUpdateSet({ balance, frozen }))
        .execute();
    };
    const zero = "0x0000000000000000000000000000000000000000";
    switch (e.name) {
      case "Transfer": {
        const value = BigInt(text(a.value));
        if (text(a.from) !== zero) await put(text(a.from), { delta: -value });
        if (text(a.to) !== zero) await put(text(a.to), { delta: value });
        return;
      }
      case "AccountFrozen":
        return put(text(a.account), { frozen: true });
      case "AccountUnfrozen":
        return put(text(a.account), { frozen: false });
    }
  },
};
