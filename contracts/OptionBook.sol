// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title OptionBook
/// @notice A demo registry of European option positions. It moves no money: it only
///         records positions and emits the events the hedging service ingests.
///
///         Units:
///         - `underlying`: the ERC-20 the option is on (e.g. the WETH-like token).
///         - `strike`: the strike price in USD with 8 decimals (3000e8 = 3000 USD), the
///           same scale as the PriceAggregator's answer.
///         - `expiry`: unix seconds (UTC) at which the option expires.
///         - `size`: signed, in units of the underlying with 18 decimals; positive is
///           long (the account holds the option), negative is short (the account wrote
///           it). 1e18 = one option on one unit of the underlying.
///         Every event carries the position's full terms so a consumer never needs to
///         read storage to apply it.
contract OptionBook {
    enum OptionType {
        Call,
        Put
    }

    struct Position {
        address account;
        address underlying;
        OptionType optionType;
        uint64 expiry;
        uint256 strike;
        int256 size;
    }

    uint256 public nextPositionId = 1;
    mapping(uint256 positionId => Position) private positions;

    event PositionOpened(
        address indexed account,
        uint256 indexed positionId,
        address indexed underlying,
        OptionType optionType,
        uint256 strike,
        uint64 expiry,
        int256 size
    );
    /// @param previousSize the size before the change; `size` is the new size.
    event PositionResized(
        address indexed account,
        uint256 indexed positionId,
        address indexed underlying,
        OptionType optionType,
        uint256 strike,
        uint64 expiry,
        int256 previousSize,
        int256 size
    );
    /// @param size the size the position had when it was closed.
    event PositionClosed(
        address indexed account,
        uint256 indexed positionId,
        address indexed underlying,
        OptionType optionType,
        uint256 strike,
        uint64 expiry,
        int256 size
    );

    error ZeroSize();
    error ZeroStrike();
    error ZeroAddress();
    error ExpiryNotInFuture(uint64 expiry, uint256 blockTimestamp);
    error UnknownPosition(uint256 positionId);
    error NotPositionAccount(uint256 positionId, address caller);

    /// @notice Opens a position for the caller and returns its id (1, 2, 3, ...).
    function openPosition(address underlying, OptionType optionType, uint256 strike, uint64 expiry, int256 size)
        external
        returns (uint256 positionId)
    {
        if (underlying == address(0)) revert ZeroAddress();
        if (strike == 0) revert ZeroStrike();
        if (size == 0) revert ZeroSize();
        if (expiry <= block.timestamp) revert ExpiryNotInFuture(expiry, block.timestamp);
        positionId = nextPositionId++;
        positions[positionId] = Position(msg.sender, underlying, optionType, expiry, strike, size);
        emit PositionOpened(msg.sender, positionId, underlying, optionType, strike, expiry, size);
    }

    /// @notice Sets an open position's size (may flip long/short). Use closePosition for zero.
    function resizePosition(uint256 positionId, int256 size) external {
        if (size == 0) revert ZeroSize();
        Position storage position = _owned(positionId);
        int256 previousSize = position.size;
        position.size = size;
        emit PositionResized(
            msg.sender,
            positionId,
            position.underlying,
            position.optionType,
            position.strike,
            position.expiry,
            previousSize,
            size
        );
    }

    /// @notice Closes an open position; its id is never reused.
    function closePosition(uint256 positionId) external {
        Position memory position = _owned(positionId);
        delete positions[positionId];
        emit PositionClosed(
            msg.sender,
            positionId,
            position.underlying,
            position.optionType,
            position.strike,
            position.expiry,
            position.size
        );
    }

    function getPosition(uint256 positionId) external view returns (Position memory) {
        Position memory position = positions[positionId];
        if (position.account == address(0)) revert UnknownPosition(positionId);
        return position;
    }

    function _owned(uint256 positionId) private view returns (Position storage position) {
        position = positions[positionId];
        if (position.account == address(0)) revert UnknownPosition(positionId);
        if (position.account != msg.sender) revert NotPositionAccount(positionId, msg.sender);
    }
}
