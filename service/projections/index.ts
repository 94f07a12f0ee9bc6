/** Every projection of the read model, in the order they fold each event. */
import type { Projection } from "../projections.js";
import { credit } from "./credit.js";
import { balances, members } from "./members.js";
import { pauses, scf } from "./scf.js";
import { trade } from "./trade.js";

export const PROJECTIONS: readonly Projection[] = [members, balances, credit, pauses, scf, trade];
