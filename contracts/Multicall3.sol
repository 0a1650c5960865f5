// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/**
 * @title Multicall3 (minimal)
 * @notice The subset of Multicall3 (github.com/mds1/multicall) that viem's multicall batching uses, with the same
 * ABI so that it can be installed at the canonical address 0xcA11bde05977b3631167028862bE2a173976CA11 on a
 * chain that has none (anvil, a fresh private network).
 * @dev Only meant to be called with eth_call: it holds no state and forwards no value.
 */
contract Multicall3 {
    struct Call3 {
        address target;
        bool allowFailure;
        bytes callData;
    }

    struct Result {
        bool success;
        bytes returnData;
    }

    /**
     * @notice Calls each target in order and returns every result.
     * @dev Reverts with "Multicall3: call failed" if a call that does not allow failure fails, like the original.
     * @param calls The calls to make.
     * @return returnData One result per call, in order.
     */
    function aggregate3(Call3[] calldata calls) external payable returns (Result[] memory returnData) {
        returnData = new Result[](calls.length);
        for (uint256 i = 0; i < calls.length; ++i) {
            Call3 calldata call = calls[i];
            (bool success, bytes memory data) = call.target.call(call.callData);
            if (!success && !call.allowFailure) revert("Multicall3: call failed");
            returnData[i] = Result(success, data);
        }
    }

    /**
     * @notice The current block number.
     * @return blockNumber block.number
     */
    function getBlockNumber() external view returns (uint256 blockNumber) {
        blockNumber = block.number;
    }

    /**
     * @notice The chain id.
     * @return chainid block.chainid
     */
    function getChainId() external view returns (uint256 chainid) {
        chainid = block.chainid;
    }

    /**
     * @notice The timestamp of the current block.
     * @return timestamp block.timestamp
     */
    function getCurrentBlockTimestamp() external view returns (uint256 timestamp) {
        timestamp = block.timestamp;
    }
}
