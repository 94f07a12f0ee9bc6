/** A receivable family drawn root to leaves: each node names its id, holder, tier, face and state in words. */
import { Tag, Tree, type TreeDataNode } from "antd";
import { useTranslation } from "react-i18next";

import { formatMinor } from "../../format";
import { DECIMALS } from "./amounts";
import { familyTree, type Piece, type PieceNode } from "./family";

export function FamilyTree({ pieces, member }: { pieces: readonly Piece[]; member: number | undefined }) {
  const { t, i18n } = useTranslation("scf");
  const root = familyTree(pieces);
  if (root === undefined) return null;
  const toNode = (n: PieceNode): TreeDataNode => {
    const p = n.piece;
    const mine = member !== undefined && p.holder === member;
    return {
      key: p.id,
      title: (
        <span data-testid={`piece-${p.id}`}>
          <strong>{p.id}</strong> · {t("tree.holder", { id: p.holder })} · {t("tree.tier", { tier: p.tier })} ·{" "}
          {formatMinor(p.face, DECIMALS, i18n.language)} ·{" "}
          <Tag color={p.state === "Held" ? "blue" : p.state === "Financed" ? "gold" : "default"}>
            {t(`state.${p.state}`, { defaultValue: p.state })}
          </Tag>
          {p.frozen ? <Tag color="red">{t("tree.frozen")}</Tag> : null}
          {mine ? <Tag color="green">{t("tree.yours")}</Tag> : null}
        </span>
      ),
      children: n.children.map(toNode),
    };
  };
  const data = [toNode(root)];
  return <Tree treeData={data} defaultExpandAll selectable={false} showLine aria-label={t("tree.label")} />;
}
