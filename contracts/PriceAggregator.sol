// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title PriceAggregator
/// @notice An owner-fed price feed with the read interface of Chainlink's
///         AggregatorV3Interface (decimals, description, version, getRoundData,
///         latestRoundData), for the local chain and tests. Every update opens a new
///         round: roundId goes 1, 2, 3, ...; answeredInRound always equals roundId.
///         The answer is a price with `decimals` decimals (e.g. 8: 3000e8 = 3000 USD).
contract PriceAggregator {
    struct Round {
        int256 answer;
        uint256 startedAt;
        uint256 updatedAt;
    }

    uint8 public immutable decimals;
    string public description;
    uint256 public constant version = 1;
    address public immutable owner;
    uint80 public latestRound;

    mapping(uint80 roundId => Round) private rounds;

    /// @notice Same shape as Chainlink's AggregatorInterface event.
    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    error NotOwner(address caller);
    error NoDataPresent(uint80 roundId);
    error UpdatedAtInFuture(uint256 updatedAt, uint256 blockTimestamp);

    constructor(uint8 decimals_, string memory description_, int256 initialAnswer) {
        decimals = decimals_;
        description = description_;
        owner = msg.sender;
        _record(initialAnswer, block.timestamp);
    }

    /// @notice Opens a new round with `answer`, updated now (the block's timestamp).
    function updateAnswer(int256 answer) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _record(answer, block.timestamp);
    }

    /// @notice Opens a new round with `answer` and an explicit `updatedAt` (unix seconds),
    ///         so tests can make the feed look stale. `updatedAt` may not be in the future.
    function updateRoundData(int256 answer, uint256 updatedAt) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        if (updatedAt > block.timestamp) revert UpdatedAtInFuture(updatedAt, block.timestamp);
        _record(answer, updatedAt);
    }

    function getRoundData(uint80 roundId)
        public
        view
        returns (uint80, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        Round memory round = rounds[roundId];
        if (round.updatedAt == 0) revert NoDataPresent(roundId);
        return (roundId, round.answer, round.startedAt, round.updatedAt, roundId);
    }

    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        return getRoundData(latestRound);
    }

    function _record(int256 answer, uint256 updatedAt) private {
        uint80 roundId = latestRound + 1;
        latestRound = roundId;
        rounds[roundId] = Round({answer: answer, startedAt: updatedAt, updatedAt: updatedAt});
        emit AnswerUpdated(answer, roundId, updatedAt);
    }
}
