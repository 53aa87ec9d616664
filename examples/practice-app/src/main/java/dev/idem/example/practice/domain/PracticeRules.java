package dev.idem.example.practice.domain;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Pure rules of practice sessions. */
public final class PracticeRules {

    public static final int MAX_QUESTIONS = 50;

    private PracticeRules() {
    }

    /** Picks {@code count} questions (fewer when fewer match) carrying any of {@code tags}, in random order. */
    public static List<Integer> pickQuestions(List<Question> bank, int count, List<String> tags, Random random) {
        if (count < 1 || count > MAX_QUESTIONS) {
            throw new DomainException.Invalid("questionCount must be between 1 and " + MAX_QUESTIONS);
        }
        List<Integer> matching = new ArrayList<>(bank.stream().filter(q -> q.hasAnyTag(tags)).map(Question::id).toList());
        if (matching.isEmpty()) {
            throw new DomainException.Invalid("no question carries any of the tags " + tags);
        }
        Collections.shuffle(matching, random);
        return List.copyOf(matching.subList(0, Math.min(count, matching.size())));
    }
}
