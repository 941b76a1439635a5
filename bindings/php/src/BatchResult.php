<?php

declare(strict_types=1);

namespace Clm;

/**
 * The outcome of a batch or an import: how many events were applied, and
 * the rejections (empty unless skip-bad skipped some). Counting or iterating
 * it gives the rejections.
 *
 * @implements \IteratorAggregate<int, Rejection>
 */
final class BatchResult implements \Countable, \IteratorAggregate
{
    /**
     * @param list<Rejection> $rejections
     */
    public function __construct(
        public readonly int $applied,
        public readonly array $rejections = [],
        /** @var list<string> values in columns a row's type does not use (Portfolio::importCsvStream()) */
        public readonly array $warnings = [],
    ) {
    }

    /** The number of rejections. */
    public function count(): int
    {
        return count($this->rejections);
    }

    public function getIterator(): \ArrayIterator
    {
        return new \ArrayIterator($this->rejections);
    }
}
