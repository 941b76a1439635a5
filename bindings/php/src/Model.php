<?php

declare(strict_types=1);

namespace Clm;

use FFI;
use FFI\CData;

/**
 * An immutable lifecycle model (clm_model).
 *
 * Create one with preset(), fromJson(), load() or ModelBuilder::build();
 * release it with close() or by dropping the last reference:
 *
 *     $m = Model::preset('sales6');
 *     echo $m->nextStage('presentation', 'advance'), "\n";   // proposal
 *     $m->close();
 *
 * A model obtained from Portfolio::models() is the portfolio's: closing it
 * frees nothing, and it closes with its portfolio.
 */
final class Model extends Handle
{
    /** The portfolio that owns this model, or null when the model is this object's own. */
    private ?Portfolio $owner = null;

    private function __construct()
    {
    }

    /** @internal Wraps a handle: owned (freed by close()) or borrowed from $owner. */
    public static function wrap(CData $ptr, ?Portfolio $owner = null): self
    {
        $m = new self();
        $m->adopt($ptr);
        $m->owner = $owner;
        return $m;
    }

    protected function release(CData $ptr): void
    {
        if ($this->owner === null) {
            Library::ffi()->clm_model_free($ptr);
        }
        $this->owner = null;
    }

    private static function slot(): CData
    {
        return Library::ffi()->new('clm_model *');
    }

    // -- construction --------------------------------------------------------

    /** A preset model (see \Clm\presets()). Throws NotFoundException for an unknown id. */
    public static function preset(string $presetId): self
    {
        $out = self::slot();
        Library::call('clm_model_preset', FFI::addr($out), Library::text($presetId, 'presetId'));
        return self::wrap($out);
    }

    /**
     * A model from its JSON definition. Throws ParseException for malformed
     * JSON and ValidationException for a definition that breaks the rules;
     * both list every problem in $problems (file "<input>").
     */
    public static function fromJson(string $json): self
    {
        $out = self::slot();
        Library::call('clm_model_from_json', FFI::addr($out), $json, strlen($json));
        return self::wrap($out);
    }

    /**
     * A preset id, else a JSON file path. Throws IoException, ParseException
     * or ValidationException (the problems name the file).
     */
    public static function load(string $presetOrPath): self
    {
        $out = self::slot();
        Library::call('clm_model_load', FFI::addr($out), Library::text($presetOrPath, 'presetOrPath'));
        return self::wrap($out);
    }

    /**
     * Checks a JSON model definition; returns every problem ([] when valid).
     * $name is the file name the problems carry ("<input>" when null).
     *
     * @return list<Problem>
     */
    public static function validateJson(string $json, ?string $name = null): array
    {
        return self::validate('clm_model_validate_json', $json, $name);
    }

    /** @internal The body of Model::validateJson() and Policy::validateJson(). */
    public static function validate(string $fn, string $json, ?string $name): array
    {
        $report = Library::stringSlot();
        $count = Library::sizeSlot();
        Library::call($fn, FFI::addr($report), FFI::addr($count), $json, strlen($json), Library::optText($name, 'name'));
        $problems = Problem::parseAll(Library::takeString($report));
        if (count($problems) !== $count->cdata) { // a line we could not parse: keep the count honest
            throw new \UnexpectedValueException("clm: $fn reported {$count->cdata} problems, parsed " . count($problems));
        }
        return $problems;
    }

    // -- reading -------------------------------------------------------------

    /** The model's id. */
    public function id(): string
    {
        return Library::ffi()->clm_model_id($this->handle()) ?? '';
    }

    /** The model's version (>= 1). */
    public function version(): int
    {
        return Library::ffi()->clm_model_version($this->handle());
    }

    /** The display name ("" when none). */
    public function name(): string
    {
        return Library::ffi()->clm_model_name($this->handle()) ?? '';
    }

    /** The number of stages. */
    public function stageCount(): int
    {
        return Library::ffi()->clm_model_stage_count($this->handle());
    }

    /** The id of the stage at a 0-based index ("" out of range). */
    public function stageId(int $index): string
    {
        return Library::ffi()->clm_model_stage_id($this->handle(), $index) ?? '';
    }

    /**
     * The stages, in model order.
     *
     * @return list<Stage>
     */
    public function stages(): array
    {
        $stages = [];
        for ($i = 0, $n = $this->stageCount(); $i < $n; $i++) {
            $stages[] = $this->stage($i);
        }
        return $stages;
    }

    /** One stage, by 0-based index or by id (NotFoundException for an unknown id). */
    public function stage(int|string $indexOrId): Stage
    {
        $ffi = Library::ffi();
        $h = $this->handle();
        $i = is_int($indexOrId) ? $indexOrId : $this->findStage($indexOrId);
        if ($i < 0 || $i >= $ffi->clm_model_stage_count($h)) {
            throw new \OutOfRangeException("stage index $i is out of range");
        }
        $limit = $ffi->clm_model_stage_time_limit($h, $i);
        $probability = $ffi->clm_model_stage_probability($h, $i);
        $requirements = [];
        for ($r = 0, $n = $ffi->clm_model_stage_requirement_count($h, $i); $r < $n; $r++) {
            $requirements[] = $ffi->clm_model_stage_requirement($h, $i, $r) ?? '';
        }
        return new Stage(
            $i,
            $ffi->clm_model_stage_id($h, $i) ?? '',
            $ffi->clm_model_stage_name($h, $i) ?? '',
            StageKind::from($ffi->clm_model_stage_kind($h, $i)),
            $ffi->clm_model_stage_task($h, $i) ?? '',
            $limit < 0 ? null : $limit,
            $probability < 0 ? null : $probability,
            $requirements,
        );
    }

    /**
     * The transitions, in model order, with stage ids.
     *
     * @return list<Transition>
     */
    public function transitions(): array
    {
        $ffi = Library::ffi();
        $h = $this->handle();
        $from = Library::sizeSlot();
        $to = Library::sizeSlot();
        $event = $ffi->new('const char *');
        $out = [];
        for ($i = 0, $n = $ffi->clm_model_transition_count($h); $i < $n; $i++) {
            Library::call('clm_model_transition', FFI::addr($from), FFI::addr($to), FFI::addr($event), $h, $i);
            $out[] = new Transition($this->stageId($from->cdata), $this->stageId($to->cdata), FFI::string($event));
        }
        return $out;
    }

    /** The id of the stage where customers start. */
    public function initialStage(): string
    {
        return $this->stageId(Library::ffi()->clm_model_initial_stage($this->handle()));
    }

    /** The 0-based index of a stage. Throws NotFoundException. */
    public function findStage(string $stageId): int
    {
        $out = Library::sizeSlot();
        Library::call('clm_model_find_stage', FFI::addr($out), $this->handle(), Library::text($stageId, 'stageId'));
        return $out->cdata;
    }

    /**
     * The id of the stage $event leads to from $fromStage (guards not checked).
     * Throws IllegalTransitionException when the stage has no such move,
     * NotFoundException for an unknown stage or event.
     */
    public function nextStage(string $fromStage, string $event): string
    {
        $h = $this->handle();
        $index = $this->findStage($fromStage);
        $out = Library::sizeSlot();
        Library::call('clm_model_next_stage', FFI::addr($out), $h, $index, Library::text($event, 'event'));
        return $this->stageId($out->cdata);
    }

    /** The model as text, JSON, Graphviz DOT or Mermaid (a Format, or its name). */
    public function render(Format|string|int $format = Format::TEXT): string
    {
        // A plain int goes through unchecked, so that the C library validates it.
        $value = is_int($format) ? $format : Format::coerce($format)->value;
        $out = Library::stringSlot();
        $len = Library::sizeSlot();
        Library::call('clm_model_render', FFI::addr($out), FFI::addr($len), $this->handle(), $value);
        return Library::takeString($out, $len->cdata);
    }

    /** The canonical JSON definition (loads back to the same model). */
    public function toJson(): string
    {
        return $this->render(Format::JSON);
    }

    /**
     * Where a customer in stage $oldStageId of version $fromVersion belongs in
     * this model (a stage id). Throws NotFoundException.
     */
    public function migrateStage(int $fromVersion, string $oldStageId): string
    {
        $out = Library::sizeSlot();
        Library::call('clm_model_migrate_stage', FFI::addr($out), $this->handle(), $fromVersion,
            Library::text($oldStageId, 'oldStageId'));
        return $this->stageId($out->cdata);
    }

    // -- languages -----------------------------------------------------------

    /**
     * The locales the model's text is written in, the default first.
     * @return list<string>
     */
    public function locales(): array
    {
        $ffi = Library::ffi();
        $h = $this->handle();
        $out = [];
        for ($i = 0, $n = $ffi->clm_model_locale_count($h); $i < $n; ++$i) {
            $out[] = $ffi->clm_model_locale_at($h, $i) ?? '';
        }
        return $out;
    }

    /** The locale the name and the stages' names and tasks are shown in. */
    public function locale(): string
    {
        return Library::ffi()->clm_model_locale($this->handle()) ?? '';
    }

    /**
     * Shows the name and the stages' names and tasks in $locale (one of
     * locales()) and returns the model. Throws NotFoundException naming the
     * model's locales otherwise, and a LogicException for a portfolio's model
     * (use Portfolio::setLocale()).
     */
    public function setLocale(string $locale): self
    {
        if ($this->owner !== null) {
            throw new \LogicException("a portfolio's model shows the portfolio's locale: use Portfolio::setLocale()");
        }
        Library::call('clm_model_set_locale', $this->handle(), Library::text($locale, 'locale'));
        return $this;
    }
}
