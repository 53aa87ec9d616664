package dev.idem.example.practice.domain;

import java.util.List;

/** A question of the bank with its choices; {@code correctChoiceId} never leaves the server. */
public record Question(int id, String stem, List<Choice> choices, List<String> tags, String correctChoiceId) {

    public record Choice(String id, String label) {
    }

    public boolean hasChoice(String choiceId) {
        return choices.stream().anyMatch(c -> c.id().equals(choiceId));
    }

    public boolean isCorrect(String choiceId) {
        return correctChoiceId.equals(choiceId);
    }

    public boolean hasAnyTag(List<String> wanted) {
        return wanted == null || wanted.isEmpty() || tags.stream().anyMatch(wanted::contains);
    }
}
