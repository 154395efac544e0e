package dev.skyward.examples;

import dev.skyward.ComputePool;
import dev.skyward.parallel.RemoteCallable;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.classification.example.NoisyInterlockingCrescentsDataSource;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.Hinge;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.evaluation.CrossValidation;
import org.tribuo.math.optimisers.AdaGrad;

/**
 * A hyper-parameter grid search with Tribuo's 5-fold cross-validation, spread over a pool through
 * {@code pool.executor()}: the search is written against {@link ExecutorService} alone, so the same
 * {@link #search} runs on a local thread pool and on the nodes, and gives the same scores.
 *
 * <pre>
 * java -cp examples/target/skyward-examples.jar dev.skyward.examples.GridSearch
 * </pre>
 */
public final class GridSearch {

    /** One point of the grid. */
    public record Params(String objective, double learningRate, int epochs) implements Serializable {
    }

    /** A point and its mean cross-validated accuracy. */
    public record Score(Params params, double accuracy) implements Serializable {
    }

    private GridSearch() {
    }

    /** 2 objectives x 4 learning rates x 3 epoch counts: 24 points. */
    public static List<Params> grid() {
        List<Params> grid = new ArrayList<>();
        for (String objective : List.of("log", "hinge")) {
            for (double lr : new double[] {0.01, 0.1, 0.5, 1.0}) {
                for (int epochs : new int[] {1, 5, 20}) {
                    grid.add(new Params(objective, lr, epochs));
                }
            }
        }
        return grid;
    }

    /** Mean accuracy over 5 folds of a linear SGD classifier on a seeded noisy two-moons dataset. */
    public static double crossValidate(Params p) {
        Logger.getLogger("org.tribuo").setLevel(Level.WARNING);
        MutableDataset<Label> data = new MutableDataset<>(new NoisyInterlockingCrescentsDataSource(600, 42L, 0.2));
        LinearSGDTrainer trainer = new LinearSGDTrainer(p.objective().equals("log") ? new LogMulticlass() : new Hinge(),
                new AdaGrad(p.learningRate()), p.epochs(), 7L);
        return new CrossValidation<>(trainer, data, new LabelEvaluator(), 5, 13L).evaluate().stream()
                .mapToDouble(fold -> fold.getA().accuracy()).average().orElseThrow();
    }

    /**
     * Scores every point of the grid on {@code executor}: any {@link ExecutorService}.
     *
     * @param executor where the cross-validations run
     * @param grid the points
     * @return one score per point, in grid order
     */
    public static List<Score> search(ExecutorService executor, List<Params> grid)
            throws InterruptedException, ExecutionException {
        List<Callable<Double>> folds = new ArrayList<>();
        for (Params p : grid) {
            folds.add((RemoteCallable<Double>) () -> crossValidate(p));
        }
        List<Future<Double>> accuracies = executor.invokeAll(folds);
        List<Score> scores = new ArrayList<>();
        for (int i = 0; i < grid.size(); i++) {
            scores.add(new Score(grid.get(i), accuracies.get(i).get()));
        }
        return scores;
    }

    /** The best score; ties go to the earlier point of the grid. */
    public static Score best(List<Score> scores) {
        return scores.stream().max(Comparator.comparingDouble(Score::accuracy)
                .thenComparing(Comparator.comparingInt(scores::indexOf).reversed())).orElseThrow();
    }

    public static void main(String[] args) throws Exception {
        try (ComputePool pool = ComputePool.builder().nodes(2).concurrency(2).build()) {
            ExecutorService exec = pool.executor();
            List<Score> scores = search(exec, grid());
            for (Score s : scores) {
                System.out.printf("%-5s lr=%-4s epochs=%-2d accuracy=%.4f%n", s.params().objective(),
                        s.params().learningRate(), s.params().epochs(), s.accuracy());
            }
            Score best = best(scores);
            System.out.printf("best: %s lr=%s epochs=%d (accuracy %.4f)%n", best.params().objective(),
                    best.params().learningRate(), best.params().epochs(), best.accuracy());
            exec.shutdown();
        }
    }
}
