package dev.idem.example.practice.adapters.web;

import dev.idem.example.practice.application.BookmarkUseCases;
import java.security.Principal;
import java.util.List;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Explicit PUT/DELETE (naturally idempotent, seed 003 option 2) and a keyed toggle for old clients. */
@RestController
@RequestMapping("/api/bookmarks")
public class BookmarkController {

    public record Bookmark(int questionId, boolean bookmarked) {
    }

    public record Bookmarks(List<Integer> questionIds) {
    }

    private final BookmarkUseCases bookmarks;

    public BookmarkController(BookmarkUseCases bookmarks) {
        this.bookmarks = bookmarks;
    }

    @GetMapping
    public Bookmarks list(Principal user) {
        return new Bookmarks(bookmarks.list(user.getName()));
    }

    @PutMapping("/{questionId}")
    public Bookmark add(Principal user, @PathVariable int questionId) {
        bookmarks.add(user.getName(), questionId);
        return new Bookmark(questionId, true);
    }

    @DeleteMapping("/{questionId}")
    public Bookmark remove(Principal user, @PathVariable int questionId) {
        bookmarks.remove(user.getName(), questionId);
        return new Bookmark(questionId, false);
    }

    @PostMapping("/{questionId}/toggle")
    public Bookmark toggle(Principal user, @PathVariable int questionId) {
        return new Bookmark(questionId, bookmarks.toggle(user.getName(), questionId));
    }
}
