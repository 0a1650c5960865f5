// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/**
 * @title RecordAnchor
 * @notice Write-once registry of the Merkle roots of Chartproof record batches.
 *
 * A root, once anchored for a batch, can never be changed or removed — by anyone, the admin included. That is
 * the whole point of the contract: the database is never trusted for a root, so the chain must not be able to
 * forget or rewrite one either. There is deliberately no upgrade path, no pause and no delete.
 *
 * Roles are split so that the key that is online (the anchoring worker's) can only add roots, and the key that
 * can change who writes (the admin's) is not the one the worker holds. See
 * docs/decisions/005-contract-and-ledger.md.
 */
contract RecordAnchor is AccessControl {
    /// @notice May anchor new roots. Granted and revoked by DEFAULT_ADMIN_ROLE (e.g. to rotate the worker key).
    bytes32 public constant WRITER_ROLE = keccak256("WRITER_ROLE");

    struct Anchor {
        bytes32 root;
        uint64 anchoredAt;
    }

    mapping(uint256 batchId => Anchor) private _anchors;

    /// @notice A root was anchored for `batchId` by `writer`.
    event RootAnchored(uint256 indexed batchId, bytes32 root, address indexed writer);

    /// @notice `batchId` already holds `root`; roots are write-once.
    error RecordAnchorRootExists(uint256 batchId, bytes32 root);

    /// @notice The zero root is reserved to mean "no root" in the views.
    error RecordAnchorZeroRoot();

    /// @notice The admin and the writer must be different accounts.
    error RecordAnchorAdminIsWriter(address account);

    /**
     * @notice Deploys the registry with `admin` managing roles and `writer` allowed to anchor.
     * @param admin Holder of DEFAULT_ADMIN_ROLE; should be a key kept off the anchoring host.
     * @param writer First holder of WRITER_ROLE (the anchoring worker).
     */
    constructor(address admin, address writer) {
        if (admin == writer) revert RecordAnchorAdminIsWriter(admin);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(WRITER_ROLE, writer);
    }

    /**
     * @notice Anchors `root` as the Merkle root of batch `batchId`, once and for all.
     * @dev Reverts with {RecordAnchorRootExists} if the batch already has a root (even the same one, so that a
     * retried transaction is visible as such) and with {RecordAnchorZeroRoot} for the zero root.
     * @param batchId Identifier of the batch, assigned off chain.
     * @param root Merkle root of the batch's salted record commitments.
     */
    function anchorRoot(uint256 batchId, bytes32 root) external onlyRole(WRITER_ROLE) {
        if (root == bytes32(0)) revert RecordAnchorZeroRoot();
        bytes32 existing = _anchors[batchId].root;
        if (existing != bytes32(0)) revert RecordAnchorRootExists(batchId, existing);

        _anchors[batchId] = Anchor({root: root, anchoredAt: uint64(block.timestamp)});
        emit RootAnchored(batchId, root, _msgSender());
    }

    /**
     * @notice The root anchored for `batchId` and the timestamp of the block that anchored it.
     * @param batchId Identifier of the batch.
     * @return root The anchored root, or zero if the batch has none.
     * @return anchoredAt Block timestamp (seconds) of the anchoring, or zero if the batch has none.
     */
    function rootOf(uint256 batchId) external view returns (bytes32 root, uint64 anchoredAt) {
        Anchor storage anchor = _anchors[batchId];
        return (anchor.root, anchor.anchoredAt);
    }

    /**
     * @notice The roots of many batches in one call, so that a page of records is verified with one read.
     * @param batchIds Identifiers of the batches.
     * @return roots The anchored root of each batch, in order; zero where a batch has none.
     */
    function rootsOf(uint256[] calldata batchIds) external view returns (bytes32[] memory roots) {
        roots = new bytes32[](batchIds.length);
        for (uint256 i = 0; i < batchIds.length; ++i) {
            roots[i] = _anchors[batchIds[i]].root;
        }
    }
}
