<?php

declare(strict_types=1);

namespace Clm;

use FFI;
use FFI\CData;

/**
 * Builds a custom model step by step (clm_model_builder).
 *
 * Stages and transitions are named by id and may be added in any order;
 * build() validates everything and throws a ValidationException listing
 * every problem. Every method but build() returns the builder:
 *
 *     $b = new ModelBuilder('mini', 1);
 *     $b->addStage('lead', 'Lead')->addStage('won', 'Won', StageKind::WON)
 *       ->addTransition('lead', 'won', 'sign');
 *     $model = $b->build();
 */
final class ModelBuilder extends Handle
{
    /** Starts a model $modelId of $version (>= 1, checked at build). */
    public function __construct(string $modelId, int $version = 1)
    {
        $out = Library::ffi()->new('clm_model_builder *');
        Library::call('clm_model_builder_new', FFI::addr($out), Library::text($modelId, 'modelId'), $version);
        $this->adopt($out);
    }

    protected function release(CData $ptr): void
    {
        Library::ffi()->clm_model_builder_free($ptr);
    }

    /** Sets the display name. */
    public function setName(string $name): self
    {
        Library::call('clm_model_builder_set_name', $this->handle(), Library::text($name, 'name'));
        return $this;
    }

    /**
     * Adds a stage ($name defaults to the id). Throws DuplicateException.
     * $kind is a StageKind, its name ("won") or its int value (checked by the library).
     */
    public function addStage(string $stageId, ?string $name = null, StageKind|string|int $kind = StageKind::OPEN,
        ?string $task = null): self
    {
        $k = is_int($kind) ? $kind : StageKind::coerce($kind)->value;
        Library::call('clm_model_builder_add_stage', $this->handle(), Library::text($stageId, 'stageId'),
            Library::optText($name, 'name'), $k, Library::optText($task, 'task'));
        return $this;
    }

    /** Sets a stage's time limit in days (>= 0). */
    public function setTimeLimit(string $stageId, int $days): self
    {
        Library::call('clm_model_builder_set_time_limit', $this->handle(), Library::text($stageId, 'stageId'), $days);
        return $this;
    }

    /** Sets a stage's win probability (checked at build to be within [0, 1]). */
    public function setProbability(string $stageId, float $p): self
    {
        Library::call('clm_model_builder_set_probability', $this->handle(), Library::text($stageId, 'stageId'), $p);
        return $this;
    }

    /** Adds an entry requirement (a checklist item or document) to a stage. */
    public function addRequirement(string $stageId, string $item): self
    {
        Library::call('clm_model_builder_add_requirement', $this->handle(), Library::text($stageId, 'stageId'),
            Library::text($item, 'item'));
        return $this;
    }

    /** Sets the initial stage (default: the first stage added). */
    public function setInitial(string $stageId): self
    {
        Library::call('clm_model_builder_set_initial', $this->handle(), Library::text($stageId, 'stageId'));
        return $this;
    }

    /** Adds a transition $fromStage -> $toStage on $event (ids resolved at build). */
    public function addTransition(string $fromStage, string $toStage, string $event): self
    {
        Library::call('clm_model_builder_add_transition', $this->handle(), Library::text($fromStage, 'fromStage'),
            Library::text($toStage, 'toStage'), Library::text($event, 'event'));
        return $this;
    }

    /** Guards the transition from $fromStage on $event: $item must be recorded. */
    public function guardRequires(string $fromStage, string $event, string $item): self
    {
        Library::call('clm_model_builder_guard_requires', $this->handle(), Library::text($fromStage, 'fromStage'),
            Library::text($event, 'event'), Library::text($item, 'item'));
        return $this;
    }

    /** Guards the transition: at least $days days in the source stage. */
    public function guardMinDays(string $fromStage, string $event, int $days): self
    {
        Library::call('clm_model_builder_guard_min_days', $this->handle(), Library::text($fromStage, 'fromStage'),
            Library::text($event, 'event'), $days);
        return $this;
    }

    /** Guards the transition with a host predicate registered by name (Portfolio::registerPredicate()). */
    public function guardPredicate(string $fromStage, string $event, string $predicateName): self
    {
        Library::call('clm_model_builder_guard_predicate', $this->handle(), Library::text($fromStage, 'fromStage'),
            Library::text($event, 'event'), Library::text($predicateName, 'predicateName'));
        return $this;
    }

    /** Offers a $reason for the transition and/or marks a reason as $required. */
    public function addReason(string $fromStage, string $event, ?string $reason = null, bool $required = false): self
    {
        Library::call('clm_model_builder_add_reason', $this->handle(), Library::text($fromStage, 'fromStage'),
            Library::text($event, 'event'), Library::optText($reason, 'reason'), $required ? 1 : 0);
        return $this;
    }

    /** Maps $oldStageId of version $fromVersion to $newStageId of this model. */
    public function addMigration(int $fromVersion, string $oldStageId, string $newStageId): self
    {
        Library::call('clm_model_builder_add_migration', $this->handle(), $fromVersion,
            Library::text($oldStageId, 'oldStageId'), Library::text($newStageId, 'newStageId'));
        return $this;
    }

    /**
     * Validates and builds the model. The builder stays usable (fix and retry).
     * Throws ValidationException with every problem in $problems.
     */
    public function build(): Model
    {
        $out = Library::ffi()->new('clm_model *');
        Library::call('clm_model_builder_build', FFI::addr($out), $this->handle());
        return Model::wrap($out);
    }
}
