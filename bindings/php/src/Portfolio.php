<?php

declare(strict_types=1);

namespace Clm;

use FFI;
use FFI\CData;

/**
 * A portfolio of customers, their positions in one or more models, and their
 * journal (clm_portfolio).
 *
 * State is a fold of the journal, so every query takes an optional $asOf date
 * (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS or a DateTimeInterface); null means "after
 * every event". Every mutating call is all-or-nothing: when it throws, the
 * portfolio is unchanged.
 *
 *     $p = new Portfolio();
 *     $p->addModel(Model::preset('sales6'));
 *     $p->apply(new Event('acme', '2024-05-01', 'stage', 'presentation'));
 *     $p->stage('acme')->stageId;            // "presentation"
 *
 * One writer at a time; any number of readers while nobody writes (the C
 * library's rule). Released by close() (safe twice) or when unreferenced.
 */
final class Portfolio extends Handle implements \Countable
{
    private const SKIP_BAD = 1; // CLM_BATCH_SKIP_BAD

    /** @var array<string, array{int, \Closure}> predicate name => [Callbacks id, the predicate] */
    private array $predicates = [];
    private CallbackErrors $callbackErrors;
    /** @var list<\WeakReference<Model>> the portfolio's models handed out by models() */
    private array $views = [];
    /** @var array{int, \Closure}|null the observer: [Callbacks id, the callable] */
    private ?array $observer = null;
    private ?CallbackErrors $observerErrors = null;

    /** An empty portfolio (clm_portfolio_new). */
    public function __construct()
    {
        $this->callbackErrors = new CallbackErrors();
        $out = Library::ffi()->new('clm_portfolio *');
        Library::call('clm_portfolio_new', FFI::addr($out));
        $this->adopt($out);
    }

    /**
     * Loads a saved portfolio (clm_portfolio_load), verifying it first. Throws
     * IoException, CorruptException (damaged: nothing is loaded) or
     * VersionException. Predicates are not saved: register them again.
     */
    public static function load(string $path): self
    {
        $out = Library::ffi()->new('clm_portfolio *');
        Library::call('clm_portfolio_load', FFI::addr($out), Library::text($path, 'path'));
        $self = (new \ReflectionClass(self::class))->newInstanceWithoutConstructor();
        $self->callbackErrors = new CallbackErrors();
        $self->adopt($out);
        return $self;
    }

    /** Releases the portfolio; the models from models() close with it. */
    protected function release(CData $ptr): void
    {
        foreach ($this->views as $ref) {
            $ref->get()?->close();
        }
        $this->views = [];
        Library::ffi()->clm_portfolio_free($ptr);
        foreach ($this->predicates as [$id]) {
            Callbacks::remove($id);
        }
        $this->predicates = [];
        if ($this->observer !== null) {
            Callbacks::remove($this->observer[0]);
            $this->observer = null;
        }
    }

    /** The number of customers. */
    public function count(): int
    {
        return Library::ffi()->clm_portfolio_customer_count($this->handle());
    }

    // -- models --------------------------------------------------------------

    /**
     * Adds a model and returns its slot; the portfolio shares it, so $model
     * may be closed afterwards. Throws DuplicateException.
     */
    public function addModel(Model $model): int
    {
        $slot = Library::sizeSlot();
        Library::call('clm_portfolio_add_model', FFI::addr($slot), $this->handle(), $model->handle());
        return $slot->cdata;
    }

    /**
     * The portfolio's models, in slot order. They are the portfolio's: they
     * close with it, and after migrate() they show the new version.
     *
     * @return list<Model>
     */
    public function models(): array
    {
        $ffi = Library::ffi();
        $h = $this->handle();
        $this->views = array_values(array_filter($this->views, fn (\WeakReference $r) => $r->get() !== null));
        $models = [];
        for ($slot = 0, $n = $ffi->clm_portfolio_model_count($h); $slot < $n; $slot++) {
            $view = Model::wrap($ffi->clm_portfolio_model($h, $slot), $this);
            $this->views[] = \WeakReference::create($view);
            $models[] = $view;
        }
        return $models;
    }

    /** The model named $modelId (or the only one), or null when it cannot be resolved. */
    private function modelHandle(?string $modelId): ?CData
    {
        $ffi = Library::ffi();
        $h = $this->handle();
        $n = $ffi->clm_portfolio_model_count($h);
        if ($modelId === null) {
            return $n === 1 ? $ffi->clm_portfolio_model($h, 0) : null;
        }
        for ($slot = 0; $slot < $n; $slot++) {
            $m = $ffi->clm_portfolio_model($h, $slot);
            if ($ffi->clm_model_id($m) === $modelId) {
                return $m;
            }
        }
        return null;
    }

    /**
     * Moves every customer of the model with $newer's id to that newer version
     * through its migration map; history is kept. All-or-nothing. Throws
     * NotFoundException or InvalidArgumentException (not newer).
     */
    public function migrate(Model $newer): void
    {
        Library::call('clm_portfolio_migrate', $this->handle(), $newer->handle());
    }

    /**
     * Shows every model's text (stage names and tasks in reports and
     * recommendations) in $locale. All-or-nothing: throws NotFoundException
     * naming a model's locales when one lacks it, InvalidArgumentException
     * without models.
     */
    public function setLocale(string $locale): void
    {
        Library::call('clm_portfolio_set_locale', $this->handle(), Library::text($locale, 'locale'));
    }

    // -- predicates ----------------------------------------------------------

    /**
     * Registers the host predicate $name for `predicate` guards (replacing one
     * of the same name).
     *
     * $fn(string $customerId, string $modelId, string $fromStage, string
     * $toStage, string $date) returns a truthy value to allow the move, a
     * falsy one to refuse it (GuardFailedException). A Throwable thrown by $fn
     * does not cross into C: the move fails with a CallbackException whose
     * getPrevious() is it. $fn must not use this portfolio.
     */
    public function registerPredicate(string $name, callable $fn): void
    {
        $h = $this->handle();
        [$id, $payload, $closure] = Callbacks::add($fn, $this->callbackErrors);
        try {
            Library::call('clm_portfolio_register_predicate', $h, Library::text($name, 'name'),
                Callbacks::predicateFn(), $payload);
        } catch (\Throwable $e) {
            Callbacks::remove($id);
            throw $e;
        }
        if (isset($this->predicates[$name])) {
            Callbacks::remove($this->predicates[$name][0]);
        }
        $this->predicates[$name] = [$id, $closure]; // alive as long as the portfolio
    }

    /** Calls a C function that may run predicates; chains a predicate's Throwable. */
    private function mutate(string $fn, mixed ...$args): void
    {
        $this->callbackErrors->clear();
        $status = Library::ffi()->$fn(...$args);
        $cause = $this->callbackErrors->last();
        $this->callbackErrors->clear();
        if ($status !== 0) {
            throw ClmException::fromLastError($status, $fn, $status === Status::CALLBACK->value ? $cause : null);
        }
    }

    // -- events --------------------------------------------------------------

    /**
     * Applies one event (an Event, or an array with the CSV's column names),
     * checking the model's transition and guards.
     *
     * Throws IllegalTransitionException or GuardFailedException (the message
     * names the customer, the stages and the guard), InvalidArgumentException
     * (bad date, missing field, a late event in strict time order), NotFoundException,
     * CallbackException. On error nothing changes.
     */
    public function apply(Event|array $event): void
    {
        $keep = [];
        $ev = Library::ffi()->new('clm_event');
        Event::of($event)->fill($ev, $keep);
        $this->mutate('clm_portfolio_apply', $this->handle(), FFI::addr($ev));
    }

    /**
     * Applies events in order.
     *
     * Without $skipBad the batch is all-or-nothing and the first refused event
     * throws (the message starts `event INDEX:`). With it, refused events are
     * skipped and returned as Rejections with their index.
     *
     * @param iterable<Event|array> $events
     */
    public function applyBatch(iterable $events, bool $skipBad = false): BatchResult
    {
        $items = [];
        foreach ($events as $e) {
            $items[] = Event::of($e);
        }
        $n = count($items);
        $keep = [];
        $array = $n > 0 ? Library::ffi()->new("clm_event[$n]") : null;
        foreach ($items as $i => $e) {
            $e->fill($array[$i], $keep);
        }
        $applied = Library::sizeSlot();
        $report = Library::stringSlot();
        $this->mutate('clm_portfolio_apply_batch', FFI::addr($applied), FFI::addr($report), $this->handle(),
            $array, $n, $skipBad ? self::SKIP_BAD : 0);
        return new BatchResult($applied->cdata, Rejection::parseAll(Library::takeString($report), false));
    }

    /**
     * Imports an event-log CSV given as text (docs/event-log.md), called $name
     * in messages. Rows are applied per customer in timestamp order.
     * All-or-nothing unless $skipBad (then rows the model refuses are skipped
     * and returned with their file and line; malformed rows always fail).
     *
     * Throws ParseException listing every malformed row in $problems;
     * IllegalTransitionException, GuardFailedException, ... for the first
     * refused row.
     */
    public function importCsv(string $csv, ?string $name = null, bool $skipBad = false): BatchResult
    {
        $applied = Library::sizeSlot();
        $report = Library::stringSlot();
        $this->mutate('clm_portfolio_import_csv', FFI::addr($applied), FFI::addr($report), $this->handle(),
            $csv, strlen($csv), Library::optText($name, 'name'), $skipBad ? self::SKIP_BAD : 0);
        return new BatchResult($applied->cdata, Rejection::parseAll(Library::takeString($report), true));
    }

    /** Imports an event-log CSV file; like importCsv(). Throws IoException when it cannot be read. */
    public function importCsvFile(string $path, bool $skipBad = false): BatchResult
    {
        $applied = Library::sizeSlot();
        $report = Library::stringSlot();
        $this->mutate('clm_portfolio_import_csv_file', FFI::addr($applied), FFI::addr($report), $this->handle(),
            Library::text($path, 'path'), $skipBad ? self::SKIP_BAD : 0);
        return new BatchResult($applied->cdata, Rejection::parseAll(Library::takeString($report), true));
    }

    /**
     * Imports the rows of the event-log files that belong to part $part of
     * $parts: by a stable hash of the customer's account as of $asOf, else of
     * the customer id (\Clm\partitionOf()). All or nothing; errors name the
     * file and line (docs/distributed.md).
     *
     * @param list<string> $files
     */
    public function importPartition(array $files, string|\DateTimeInterface $asOf, int $part, int $parts): void
    {
        $n = count($files);
        $keep = [];
        $array = Library::ffi()->new('const char *[' . max($n, 1) . ']');
        foreach (array_values($files) as $i => $file) {
            $keep[$i] = Library::cString(Library::text($file, 'files'));
            $array[$i] = FFI::cast('const char *', FFI::addr($keep[$i][0]));
        }
        $this->mutate('clm_portfolio_import_partition', $this->handle(), $array, $n, Library::date($asOf, 'asOf'), $part, $parts);
    }

    /**
     * The partial result of $analysis (status, funnel, time-in-stage,
     * forecast-fit, forecast) over this part of a portfolio, as JSON text
     * (\Clm\mergePartials(), \Clm\finishPartial()); forecast needs $fit,
     * the merged forecast-fit partial of every part.
     */
    public function partial(string $analysis, string|\DateTimeInterface $asOf, ?string $modelId = null, ?string $fit = null): string
    {
        return $this->text('clm_portfolio_partial_json', Library::optText($modelId, 'modelId'), Library::text($analysis, 'analysis'),
            Library::date($asOf, 'asOf'), $fit, $fit === null ? 0 : strlen($fit));
    }

    /**
     * The journal as an event-log CSV in apply order; importing it into a
     * portfolio with the same models rebuilds the same state.
     */
    public function exportEvents(): string
    {
        return $this->text('clm_portfolio_export_events');
    }

    // -- queries -------------------------------------------------------------

    /**
     * The customer ids, in the order they first appeared.
     *
     * @return list<string>
     */
    public function customers(): array
    {
        $ffi = Library::ffi();
        $h = $this->handle();
        $ids = [];
        for ($i = 0, $n = $ffi->clm_portfolio_customer_count($h); $i < $n; $i++) {
            $ids[] = $ffi->clm_portfolio_customer_id($h, $i) ?? '';
        }
        return $ids;
    }

    /** The number of events in the journal. */
    public function eventCount(): int
    {
        return Library::ffi()->clm_portfolio_event_count($this->handle());
    }

    /**
     * A customer's stage in a model as of a date. $modelId may be null when
     * the portfolio has one model. Throws NotFoundException (customer or
     * model), InvalidArgumentException.
     */
    public function stage(string $customerId, ?string $modelId = null, string|\DateTimeInterface|null $asOf = null): StagePosition
    {
        $ffi = Library::ffi();
        $stage = Library::sizeSlot();
        $days = $ffi->new('int64_t');
        Library::call('clm_portfolio_stage', FFI::addr($stage), FFI::addr($days), $this->handle(),
            Library::text($customerId, 'customerId'), Library::optText($modelId, 'modelId'), Library::date($asOf, 'asOf'));
        if ($stage->cdata === NONE) {
            return new StagePosition(null, $days->cdata);
        }
        return new StagePosition($ffi->clm_model_stage_id($this->modelHandle($modelId), $stage->cdata), $days->cdata);
    }

    /**
     * Customers per stage of a model as of a date, every stage in model order
     * (zeros included). Throws NotFoundException, InvalidArgumentException.
     *
     * @return array<string, int> stage id => count
     */
    public function stageCounts(?string $modelId = null, string|\DateTimeInterface|null $asOf = null): array
    {
        $ffi = Library::ffi();
        $model = $this->modelHandle($modelId);
        $n = $model === null ? 0 : $ffi->clm_model_stage_count($model);
        $counts = $ffi->new('size_t[' . max($n, 1) . ']');
        // With no model resolved, capacity 0 makes the library report the right error.
        Library::call('clm_portfolio_stage_counts', $counts, $n, null, $this->handle(),
            Library::optText($modelId, 'modelId'), Library::date($asOf, 'asOf'));
        $out = [];
        for ($i = 0; $i < $n; $i++) {
            $out[$ffi->clm_model_stage_id($model, $i)] = $counts[$i];
        }
        return $out;
    }

    /** Calls a `char **out, size_t *out_len, portfolio, ...` function; returns the text. */
    private function text(string $fn, mixed ...$args): string
    {
        $out = Library::stringSlot();
        $len = Library::sizeSlot();
        Library::call($fn, FFI::addr($out), FFI::addr($len), $this->handle(), ...$args);
        return Library::takeString($out, $len->cdata);
    }

    /**
     * Everything known about a customer as of a date (decoded JSON): stage per
     * model, last contacts, open control points, next step, tags, attributes,
     * scores, class, manager, purchases. Throws NotFoundException.
     */
    public function customer(string $customerId, string|\DateTimeInterface|null $asOf = null): array
    {
        return Library::json($this->text('clm_portfolio_customer_json', Library::text($customerId, 'customerId'),
            Library::date($asOf, 'asOf')));
    }

    /** A customer's full history, every event oldest first (decoded JSON). */
    public function history(string $customerId): array
    {
        return Library::json($this->text('clm_portfolio_history_json', Library::text($customerId, 'customerId')));
    }

    /**
     * The portfolio export with maturity markers, one row per customer:
     * $format "csv" gives the CSV text, "json" the decoded JSON document.
     */
    public function export(string|\DateTimeInterface|null $asOf = null, string $format = 'csv'): string|array
    {
        $formats = ['csv' => 0, 'json' => 1]; // clm_export_format
        if (!isset($formats[$format])) {
            throw new \ValueError("unknown export format '$format' (expected 'csv' or 'json')");
        }
        $text = $this->text('clm_portfolio_export', Library::date($asOf, 'asOf'), $formats[$format]);
        return $format === 'json' ? Library::json($text) : $text;
    }

    // -- persistence ---------------------------------------------------------

    /** Saves models, customers and journal to $path atomically. Throws IoException. */
    public function save(string $path): void
    {
        Library::call('clm_portfolio_save', $this->handle(), Library::text($path, 'path'));
    }

    // -- the journal as the host's store of record (docs/embedding.md) -------

    /** The save-file bytes (clm_portfolio_save_buffer): what save() writes, for a database column. */
    public function saveBytes(): string
    {
        return $this->text('clm_portfolio_save_buffer');
    }

    /**
     * Loads a portfolio from save bytes (clm_portfolio_load_buffer), verified as
     * load() verifies a file. Throws CorruptException (not a save, or damaged:
     * nothing is loaded) or VersionException.
     */
    public static function loadBytes(string $data, ?string $name = null): self
    {
        $out = Library::ffi()->new('clm_portfolio *');
        Library::call('clm_portfolio_load_buffer', FFI::addr($out), $data, strlen($data), Library::optText($name, 'name'));
        $self = (new \ReflectionClass(self::class))->newInstanceWithoutConstructor();
        $self->callbackErrors = new CallbackErrors();
        $self->adopt($out);
        return $self;
    }

    /** The newest sequence number (rows are numbered from 1 in apply order; 0 before any). */
    public function lastSeq(): int
    {
        return Library::ffi()->clm_portfolio_last_seq($this->handle());
    }

    /**
     * The rows with a sequence number above $seq, oldest first, at most $limit
     * (0: all) (clm_portfolio_events_since). Throws InvalidArgumentException for
     * a $seq beyond lastSeq().
     *
     * @return list<Change>
     */
    public function eventsSince(int $seq = 0, int $limit = 0): array
    {
        $rows = [];
        $collect = function (Change $c) use (&$rows): void {
            $rows[] = $c;
        };
        [$id, $payload] = Callbacks::add($collect, $this->callbackErrors);
        try {
            $this->mutate('clm_portfolio_events_since', null, $this->handle(), $seq, $limit, Callbacks::changeFn(), $payload);
        } finally {
            Callbacks::remove($id);
        }
        return $rows;
    }

    /**
     * Sets (or with null removes) the observer (clm_portfolio_set_observer):
     * $fn(Change $c) is called once per committed row, in order, after the
     * commit (a batch or an import: after all of it). A Throwable thrown by
     * $fn never undoes a commit: the call returns normally, the Throwable goes
     * to observerErrors(), and the rows from the refused one on are offered
     * again, first, on the next commit (deduplicate by $seq).
     */
    public function setObserver(?callable $fn): void
    {
        $h = $this->handle();
        $old = $this->observer;
        if ($fn === null) {
            Library::call('clm_portfolio_set_observer', $h, null, null);
            $this->observer = null;
        } else {
            $this->observerErrors ??= new CallbackErrors();
            [$id, $payload, $closure] = Callbacks::add($fn, $this->observerErrors);
            try {
                Library::call('clm_portfolio_set_observer', $h, Callbacks::changeFn(), $payload);
            } catch (\Throwable $e) {
                Callbacks::remove($id);
                throw $e;
            }
            $this->observer = [$id, $closure]; // alive as long as the portfolio
        }
        if ($old !== null) {
            Callbacks::remove($old[0]);
        }
    }

    /** The last Throwable an observer threw, or null. */
    public function observerError(): ?\Throwable
    {
        return $this->observerErrors?->last();
    }

    /** The sequence number of the last row the observer accepted (clm_portfolio_observed_seq). */
    public function observedSeq(): int
    {
        return Library::ffi()->clm_portfolio_observed_seq($this->handle());
    }

    /**
     * Erases a customer, their rows and the text only they used
     * (clm_portfolio_erase_customer), from the portfolio and every later save.
     * Throws NotFoundException for an unknown customer (nothing changes).
     */
    public function eraseCustomer(string $customerId): void
    {
        Library::call('clm_portfolio_erase_customer', $this->handle(), Library::text($customerId, 'customerId'));
    }

    /**
     * Sets the zone the portfolio keeps its times in (clm_portfolio_set_time_zone):
     * "Z"/"UTC" (the default) or "+hh:mm"/"-hh:mm". Timestamps given with a UTC
     * offset are converted into it. Not saved: set it again after a load.
     */
    public function setTimeZone(string $offset): void
    {
        Library::call('clm_portfolio_set_time_zone', $this->handle(), Library::text($offset, 'offset'));
    }

    /**
     * Refuses late events (older than their customer's last one) when $strict
     * (clm_portfolio_set_strict_time_order); by default they are folded in at
     * their time, the customer's later moves re-checked after them
     * (docs/event-log.md, "Late events"). Not saved.
     */
    public function setStrictTimeOrder(bool $strict): void
    {
        Library::call('clm_portfolio_set_strict_time_order', $this->handle(), $strict ? 1 : 0);
    }

    /**
     * Imports an event-log CSV from a stream, 1 MiB at a time
     * (clm_portfolio_import_csv_stream): memory holds a few chunks, not the log.
     * $stream is a readable resource or a callable(int $capacity): ?string giving
     * at most $capacity bytes ('' or null at the end). Each chunk's rows are
     * applied sorted by time; a customer's row older than one of an earlier chunk
     * is folded in at its time (a late event). All-or-nothing unless $skipBad. $progress(int $bytesRead) returning
     * true cancels (CancelledException). The result's warnings list values in
     * columns a row's type does not use (e.g. amount on a contact).
     */
    public function importCsvStream(mixed $stream, ?string $name = null, bool $skipBad = false, ?callable $progress = null): BatchResult
    {
        if (is_resource($stream)) {
            $handle = $stream;
            $read = static fn (int $n): string => (string) fread($handle, $n);
        } elseif (is_callable($stream)) {
            $read = $stream;
        } else {
            throw new \TypeError('stream must be a resource or a callable, not ' . get_debug_type($stream));
        }
        $errors = new CallbackErrors();
        [$readId, $readPayload, $readClosure] = Callbacks::add($read, $errors); // closures: alive during the call
        [$progressId, $progressPayload, $progressClosure] = $progress !== null ? Callbacks::add($progress, $errors) : [null, null, null];
        $applied = Library::sizeSlot();
        $report = Library::stringSlot();
        $warnings = Library::stringSlot();
        try {
            $status = Library::ffi()->clm_portfolio_import_csv_stream(FFI::addr($applied), FFI::addr($report), FFI::addr($warnings),
                $this->handle(), Callbacks::readFn(), $readPayload, Library::optText($name, 'name'), $skipBad ? self::SKIP_BAD : 0,
                $progress !== null ? Callbacks::progressFn() : null, $progressPayload);
        } finally {
            Callbacks::remove($readId);
            if ($progressId !== null) {
                Callbacks::remove($progressId);
            }
        }
        if ($status !== 0) {
            throw ClmException::fromLastError($status, 'clm_portfolio_import_csv_stream', $errors->last());
        }
        $lines = array_values(array_filter(explode("\n", Library::takeString($warnings)), fn (string $l) => $l !== ''));
        return new BatchResult($applied->cdata, Rejection::parseAll(Library::takeString($report), true), $lines);
    }

    // -- analytics (docs/analytics.md) ---------------------------------------

    /**
     * The funnel of a model as of a date: entered, current and lost per
     * stage, median days, conversion rates (decoded JSON).
     */
    public function funnel(?string $modelId = null, string|\DateTimeInterface|null $asOf = null): array
    {
        return Library::json($this->text('clm_portfolio_funnel_json', Library::optText($modelId, 'modelId'),
            Library::date($asOf, 'asOf')));
    }

    /**
     * The funnel's stages read through the typed list of the C ABI
     * (clm_portfolio_funnel_list, no JSON): ['id', 'name', 'entered',
     * 'current', 'lost_from', 'median_days', 'conversion_rate'].
     *
     * @return list<array<string, mixed>>
     */
    public function funnelList(?string $modelId = null, string|\DateTimeInterface|null $asOf = null): array
    {
        $out = Library::ffi()->new('clm_funnel_list *');
        Library::call('clm_portfolio_funnel_list', FFI::addr($out), $this->handle(), Library::optText($modelId, 'modelId'),
            Library::date($asOf, 'asOf'));
        return TypedList::funnel($out);
    }

    /**
     * Time spent in each stage: mean, median, p90 of completed stays, open
     * stays, stuck customers, lifecycle duration to won (decoded JSON).
     */
    public function timeInStage(?string $modelId = null, string|\DateTimeInterface|null $asOf = null): array
    {
        return Library::json($this->text('clm_portfolio_time_in_stage_json', Library::optText($modelId, 'modelId'),
            Library::date($asOf, 'asOf')));
    }

    /**
     * Dynamics between two dates: stage matrix, promoted/regressed/... overall
     * and per manager, rotation suggestions (decoded JSON). $to defaults to
     * the newest event's date.
     */
    public function dynamics(string|\DateTimeInterface $from, string|\DateTimeInterface|null $to = null,
        ?string $modelId = null): array
    {
        return Library::json($this->text('clm_portfolio_dynamics_json', Library::optText($modelId, 'modelId'),
            Library::date($from, 'from'), Library::date($to, 'to')));
    }

    /**
     * Actual against plan per manager for the plan's period. $plan is the plan
     * as an array or JSON text (docs/analytics.md). Throws ParseException /
     * ValidationException with $problems.
     */
    public function planActual(array|string $plan, ?string $modelId = null): array
    {
        $json = is_string($plan) ? $plan : json_encode($plan, JSON_THROW_ON_ERROR | JSON_UNESCAPED_UNICODE);
        return Library::json($this->text('clm_portfolio_plan_actual_json', Library::optText($modelId, 'modelId'),
            $json, strlen($json)));
    }

    /**
     * Customer value over every model: Pareto, repeat purchases, revenue by
     * class and by stage (decoded JSON).
     */
    public function value(string|\DateTimeInterface|null $asOf = null): array
    {
        return Library::json($this->text('clm_portfolio_value_json', Library::date($asOf, 'asOf')));
    }

    /**
     * Pipeline forecast: per-stage probability of winning, expected days to
     * win, expected revenue of the open pipeline (decoded JSON).
     */
    public function forecast(?string $modelId = null, string|\DateTimeInterface|null $asOf = null): array
    {
        return Library::json($this->text('clm_portfolio_forecast_json', Library::optText($modelId, 'modelId'),
            Library::date($asOf, 'asOf')));
    }

    /**
     * Every open customer's probability of being won given its stage and the
     * days it has spent there, its value, expected value and expected days to
     * close (decoded JSON, the shape of `clm forecast --per-customer --json`).
     */
    public function forecastCustomers(?string $modelId = null, string|\DateTimeInterface|null $asOf = null): array
    {
        return Library::json($this->text('clm_portfolio_forecast_customers_json', Library::optText($modelId, 'modelId'),
            Library::date($asOf, 'asOf')));
    }

    /**
     * Replays the journal to $asOf, scores every open deal and checks the
     * scores against each deal's stage on $until (null: the newest event's
     * date): AUC, Brier score and calibration, per deal and for the stage
     * rate; with a $policy, the share of the deals it asked to re-qualify or
     * close that were lost (decoded JSON, the shape of `clm backtest --json`).
     */
    public function backtest(string|\DateTimeInterface $asOf, string|\DateTimeInterface|null $until = null,
        ?string $modelId = null, ?Policy $policy = null): array
    {
        return Library::json($this->text('clm_portfolio_backtest_json', Library::optText($modelId, 'modelId'),
            Library::date($asOf, 'asOf'), Library::date($until, 'until'), $policy?->handle()));
    }

    /**
     * The management report of one model as one self-contained HTML page (the
     * page of `clm report --html`). $from starts the dynamics section (null:
     * 30 days before $asOf); with a $policy the page lists the top
     * recommendations.
     */
    public function reportHtml(?string $modelId = null, string|\DateTimeInterface|null $asOf = null,
        string|\DateTimeInterface|null $from = null, ?Policy $policy = null): string
    {
        return $this->text('clm_portfolio_report_html', Library::optText($modelId, 'modelId'),
            Library::date($asOf, 'asOf'), Library::date($from, 'from'), $policy?->handle());
    }
}
