/** The task actions, loaded lazily by tasks/index.ts: each opens a session and runs one operation. */
import { writeFile } from "node:fs/promises";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { ConsortiumKey } from "../src/keys.js";

import * as credit from "./lib/credit.js";
import * as members from "./lib/members.js";
import * as scf from "./lib/scf.js";
import * as service from "./lib/service.js";
import * as trade from "./lib/trade.js";
import {
  CONSORTIUM_KEY_VARIABLE,
  printOrFail,
  readConfigVariable,
  runInSession,
  type Session,
  type SessionArgs,
} from "./lib/session.js";

type Operation<A> = (contracts: Session["contracts"], args: A, session: Session) => Promise<string[]>;

/** Wraps an operation as a task action. */
function action<A>(operation: Operation<A>) {
  return (args: SessionArgs & A, hre: HardhatRuntimeEnvironment) =>
    runInSession(hre, args, (session) => operation(session.contracts, args, session));
}

/** Prints (or writes to `--out`) the key-derived Ignition parameters; needs no deployment, so it opens no session. */
export async function consortiumParameters(
  args: { issuerLei: string; issuerJurisdiction: string; issuerAdmin: string; development: boolean; out: string },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  await printOrFail(async () => {
    // These parameters define the check value of a network about to be deployed: the key is checked by them.
    const key = ConsortiumKey.forNewDeployment(await readConfigVariable(hre, CONSORTIUM_KEY_VARIABLE));
    const json = JSON.stringify(members.consortiumParameters(key, args), null, 2);
    if (args.out.trim() === "") return json.split("\n");
    await writeFile(args.out.trim(), `${json}\n`);
    return [`wrote the Ignition parameters for this consortium key to ${args.out.trim()}`];
  });
}

export const memberAdmit = action(members.admit);
export const memberList = action(members.list);
export const memberSuspend = action(members.suspend);
export const tokenMint = action(members.mint);
export const tokenBalance = action(members.balance);
export const creditRegister = action(credit.register);
export const creditRepay = action(credit.repay);
export const creditStatus = action(credit.status);
export const creditCheck = action(credit.check);
export const creditConsent = action(credit.consent);
export const creditRevokeConsent = action(credit.revokeConsent);
export const creditAge = action(credit.age);
export const creditScore = action(credit.score);
export const creditReport = action(credit.report);
export const creditDispute = action(credit.dispute);
export const creditImport = action(credit.importFile);
export const scfLine = action(scf.line);
export const scfIssue = action(scf.issue);
export const scfConfirm = action(scf.confirm);
export const scfReject = action(scf.reject);
export const scfDefault = action(scf.declareDefault);
export const scfCloseRecourse = action(scf.closeRecourse);
export const scfDefaultRecourse = action(scf.defaultRecourse);
export const scfSettleRecords = action(scf.settleCreditRecords);
export const scfClaim = action(scf.claim);
export const scfSplit = action(scf.split);
export const scfTransfer = action(scf.transfer);
export const scfQuote = action(scf.quote);
export const scfFinance = action(scf.finance);
export const scfRepay = action(scf.repay);
export const scfTrace = action(scf.traceTask);
export const tradeCreate = action(trade.create);
export const tradeAccept = action(trade.accept);
export const tradeFund = action(trade.fund);
export const tradeAttest = action(trade.attest);
export const tradePay = action(trade.pay);
export const tradeQuote = action(trade.quote);
export const tradeCancelQuote = action(trade.cancelQuote);
export const tradeStatus = action(trade.status);
export const tradeAssign = action(trade.assign);
export const tradeCancelAssignment = action(trade.cancelAssignment);
export const tradeFxTerms = action(trade.fxTerms);
export const tradeDispute = action(trade.dispute);
export const tradeResolve = action(trade.resolve);
export const tradeCloseAdvance = action(trade.closeAdvance);
export const tradeDefaultAdvance = action(trade.defaultAdvance);
export const tradeRefund = action(trade.refund);

/** `serve`: runs the service until Ctrl-C; a bad option or a missing deployment is one `error:` line. */
export async function serve(args: service.ServeArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  try {
    await service.serveTask(args, hre);
  } catch (err) {
    await printOrFail(async () => {
      throw err;
    });
  }
}

export async function serviceToken(args: service.TokenArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  await printOrFail(() => service.tokenTask(args, hre));
}

export async function serviceMove(
  args: { database: string; to: string },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  await printOrFail(() => service.moveTask(args, hre));
}
