<?php

declare(strict_types=1);

namespace Clm;

use FFI;
use FFI\CData;

/**
 * One event, field for field a row of the event-log CSV (clm_event).
 *
 * $customerId, $timestamp and $type are required; $value too except for
 * `contact` and `next_step`. null means "not given". Dates are strings
 * (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS) or DateTimeInterface objects. See
 * docs/event-log.md for the types and what $value means for each.
 *
 *     new Event('acme', '2024-05-02', 'stage', 'presentation', manager: 'Ann')
 */
final class Event
{
    public function __construct(
        public readonly string $customerId,
        public readonly string|\DateTimeInterface $timestamp,
        public readonly string $type,
        public readonly ?string $value = null,
        public readonly ?string $model = null,
        public readonly ?string $channel = null,
        public readonly ?string $manager = null,
        public readonly ?float $amount = null,
        public readonly ?string $reason = null,
        public readonly string|\DateTimeInterface|null $due = null,
        public readonly ?string $note = null,
        public readonly ?string $account = null,
    ) {
    }

    private const KEYS = [
        'customer_id' => 'customerId', 'customerId' => 'customerId', 'timestamp' => 'timestamp',
        'type' => 'type', 'value' => 'value', 'model' => 'model', 'channel' => 'channel',
        'manager' => 'manager', 'amount' => 'amount', 'reason' => 'reason', 'due' => 'due', 'note' => 'note', 'account' => 'account',
    ];

    /**
     * An event from an array with the CSV's column names (customer_id,
     * timestamp, type, value, ...; camelCase customerId works too).
     */
    public static function fromArray(array $row): self
    {
        $args = [];
        foreach ($row as $key => $v) {
            $name = self::KEYS[$key] ?? throw new \ValueError("unknown event field '$key'");
            if ($name === 'amount' && $v !== null) {
                $v = is_numeric($v) ? (float) $v : throw new \ValueError('amount must be a number, not ' . var_export($v, true));
            }
            $args[$name] = $v;
        }
        foreach (['customerId', 'timestamp', 'type'] as $required) {
            if (!isset($args[$required])) {
                throw new \ValueError("an event needs $required");
            }
        }
        return new self(...$args);
    }

    /** An Event as is, or one made from an array by fromArray(). */
    public static function of(self|array $event): self
    {
        return $event instanceof self ? $event : self::fromArray($event);
    }

    /**
     * @internal Fills a clm_event struct. The C strings it points to are
     * appended to $keep, which must outlive the C call.
     */
    public function fill(CData $into, array &$keep): void
    {
        $into->struct_size = FFI::sizeof($into);
        $into->customer_id = self::str(Library::text($this->customerId, 'customerId'), $keep);
        $into->timestamp = self::str(Library::date($this->timestamp, 'timestamp'), $keep);
        $into->type = self::str(Library::text($this->type, 'type'), $keep);
        $into->value = self::str(Library::optText($this->value, 'value'), $keep);
        $into->model = self::str(Library::optText($this->model, 'model'), $keep);
        $into->channel = self::str(Library::optText($this->channel, 'channel'), $keep);
        $into->manager = self::str(Library::optText($this->manager, 'manager'), $keep);
        $into->reason = self::str(Library::optText($this->reason, 'reason'), $keep);
        $into->due = self::str(Library::date($this->due, 'due'), $keep);
        $into->note = self::str(Library::optText($this->note, 'note'), $keep);
        $into->account = self::str(Library::optText($this->account, 'account'), $keep);
        $into->amount = $this->amount ?? 0.0;
        $into->has_amount = $this->amount === null ? 0 : 1;
    }

    private static function str(?string $s, array &$keep): ?CData
    {
        if ($s === null) {
            return null;
        }
        $buf = Library::cString($s);
        $keep[] = $buf;
        return FFI::cast('char *', $buf);
    }
}
