<?php

declare(strict_types=1);

namespace Clm;

/**
 * A class's share of the week: minutes budgeted and used ($customerClass is
 * "(other)" for customers without one of the policy's classes).
 */
final class ClassBudget
{
    public function __construct(
        public readonly string $customerClass,
        public readonly float $budgetMinutes,
        public readonly float $usedMinutes,
    ) {
    }
}
